"""Test and demo helpers that build powers through the services (so they are journalled and
versioned exactly as real ones)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping

from .choices import PowerKind
from .models import Power
from .services import create_power

_seq = itertools.count(1)


def make_power(
    *,
    code: str | None = None,
    kind: str = PowerKind.LICENSING,
    department=None,
    section=None,
    name: str | None = None,
    materials: Iterable[Mapping] = (),
    duties: Iterable[Mapping] = (),
    effective_from: dt.date | None = None,
    source: str = "",
    **version,
) -> Power:
    """A power with version 1; ``version`` holds further content fields."""
    from shenguan.org.factories import DepartmentFactory

    n = next(_seq)
    if department is None:
        department = section.department if section is not None else DepartmentFactory()
    return create_power(
        code=code or f"TEST-{n:05d}",
        kind=str(kind),
        department_id=department.pk,
        section_id=section.pk if section is not None else None,
        source=source,
        version={"name": name or f"测试事项{n}", **version},
        materials=materials,
        duties=duties,
        effective_from=effective_from,
    )

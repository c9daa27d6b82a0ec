"""Reading one row's values with the checks every format shares; problems are collected on
the row (never raised) so that one pass reports every fault of the file."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import CODE_RE
from .readers import Row

_CODE = re.compile(CODE_RE)
_TRUE = {"true", "1", "yes", "y", "是", "要件", "可容缺"}
_FALSE = {"false", "0", "no", "n", "否", "非要件", "", "不可容缺"}
MAX_INT = 2**31 - 1


def enum_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Both the stored value and the Chinese label are accepted (people edit spreadsheets)."""
    return _enum_lookup(choices, get_language())


@lru_cache(maxsize=64)
def _enum_lookup(choices: type[models.TextChoices], language: str | None) -> dict[str, str]:
    table = {str(c.value): str(c.value) for c in choices}
    table.update({str(c.label): str(c.value) for c in choices})
    return table


def enum_help(choices: type[models.TextChoices]) -> str:
    return ", ".join(f"{c.value}({c.label})" for c in choices)


class RowReader:
    def __init__(self, row: Row):
        self.row = row
        self.problems: list[str] = list(row.problems)

    def has(self, key: str) -> bool:
        return key in self.row.data

    def fault(self, message: str) -> None:
        self.problems.append(message)

    def raw(self, key: str) -> Any:
        return self.row.data.get(key)

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        if required and key not in self.row.data:
            # Only JSON entries can lack a key; a missing CSV/XLSX column is a file fault.
            self.fault(_("缺少字段 %(col)s") % {"col": key})
            return ""
        value = self.raw(key)
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, int | float):
            value = str(int(value)) if float(value).is_integer() else str(value)
        elif not isinstance(value, str):
            self.fault(_("%(col)s 应为文本") % {"col": key})
            return ""
        value = value.strip()
        if required and not value:
            self.fault(_("%(col)s 为空") % {"col": key})
        if max_length is not None and len(value) > max_length:
            self.fault(
                _("%(col)s 过长（%(n)d 字，最多 %(m)d 字）")
                % {"col": key, "n": len(value), "m": max_length}
            )
        return value

    def code(self, key: str) -> str:
        value = self.text(key, required=True, max_length=80)
        if value and not _CODE.match(value):
            self.fault(
                _("%(col)s“%(v)s”含有字母、数字和连字符以外的字符") % {"col": key, "v": value}
            )
        return value

    def enum(self, key: str, choices: type[models.TextChoices], *, required: bool = False) -> str:
        value = self.text(key, required=required)
        if not value:
            return ""
        found = enum_lookup(choices).get(value)
        if found is None:
            self.fault(
                _("%(col)s 的值“%(v)s”无效（可用：%(ok)s）")
                % {"col": key, "v": value, "ok": enum_help(choices)}
            )
            return ""
        return found

    def integer(self, key: str, *, minimum: int = 0) -> int | None:
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool):
            self.fault(_("%(col)s 应为整数") % {"col": key})
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            value = int(value)
        if not isinstance(value, int):
            self.fault(_("%(col)s“%(v)s”不是整数") % {"col": key, "v": value})
            return None
        if value < minimum or value > MAX_INT:
            self.fault(
                _("%(col)s 的值 %(v)d 超出范围（%(min)d 以上）")
                % {"col": key, "v": value, "min": minimum}
            )
            return None
        return value

    def date(self, key: str) -> dt.date | None:
        value = self.text(key)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fault(_("%(col)s“%(v)s”不是日期（应为 YYYY-MM-DD）") % {"col": key, "v": value})
            return None

    def boolean(self, value: Any, what: str) -> bool | None:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        text = str(value).strip().lower() if value is not None else ""
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        self.fault(_("%(what)s 应为 true 或 false，而不是“%(v)s”") % {"what": what, "v": value})
        return None

    def json(self, key: str, kind: type, empty: Any) -> Any:
        """A JSON value: nested in JSON files, JSON text in a CSV/XLSX cell."""
        value = self.raw(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return empty
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                self.fault(_("%(col)s 不是有效的 JSON（%(err)s）") % {"col": key, "err": exc.msg})
                return empty
        if not isinstance(value, kind):
            expected = _("数组") if kind is list else _("对象")
            self.fault(_("%(col)s 应为 JSON %(t)s") % {"col": key, "t": expected})
            return empty
        return value

"""Choice labels without Django's per-call cost.

``obj.get_FOO_display()`` rebuilds a hashable copy of the field's choices, translating every
lazy label, on every call — about half a millisecond per row on a 100-row API page. Here each
field's labels are translated once per language and looked up in a dict."""

from __future__ import annotations

from functools import lru_cache

from django.utils.translation import get_language


@lru_cache(maxsize=512)
def _labels(field, language: str | None) -> dict:
    return {value: str(label) for value, label in field.flatchoices}


def choice_label(obj, name: str) -> str:
    """The display label of ``obj``'s choice field ``name`` (its value if not a choice)."""
    field = obj._meta.get_field(name)
    value = getattr(obj, field.attname)
    return _labels(field, get_language()).get(value, value)

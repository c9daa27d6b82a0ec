"""Template helpers of the approval pages: form controls with Tabler's classes for every
widget kind (checkboxes and file inputs included), and the clock figures."""

from __future__ import annotations

from django import forms, template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def input_kind(bound_field) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.RadioSelect):
        return "radio"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.FileInput):
        return "file"
    if isinstance(widget, forms.Select):
        return "select"
    return "text"


@register.filter
def control(bound_field):
    """The widget with Tabler's class for its kind, marked invalid (and tied to its message
    for screen readers) when the field has errors."""
    kind = input_kind(bound_field)
    base = {
        "checkbox": "form-check-input",
        "radio": "form-check-input",
        "select": "form-select",
    }.get(kind, "form-control")
    attrs = dict(bound_field.field.widget.attrs)
    classes = attrs.get("class", "").split()
    if base not in classes:
        classes.append(base)
    if bound_field.errors:
        classes.append("is-invalid")
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_error"
    attrs["class"] = " ".join(classes)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def days_left(value) -> str:
    """Working days left, or how many past (negative), in words."""
    if value is None:
        return "—"
    if value < 0:
        return ngettext("逾期%(n)s个工作日", "逾期%(n)s个工作日", -value) % {"n": -value}
    if value == 0:
        return _("今日到期")
    return ngettext("剩%(n)s个工作日", "剩%(n)s个工作日", value) % {"n": value}

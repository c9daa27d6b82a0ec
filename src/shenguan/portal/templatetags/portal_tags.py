"""Template helpers of the staff pages and the portal."""

from __future__ import annotations

import json

from django import forms, template

from shenguan.core.permissions import STAFF_ROLES, Role

from .. import badges

register = template.Library()


@register.simple_tag
def badge(group: str, value, label=None):
    """``{% badge "approval_class" v.approval_class v.get_approval_class_display %}``"""
    return badges.badge_html(group, value, label)


@register.filter
def role_label(code: str) -> str:
    try:
        return Role(code).label
    except ValueError:
        return code


@register.filter
def sorted_roles(codes) -> list[str]:
    """Role codes in the order of ``Role`` (stable in the navigation bar)."""
    order = [r.value for r in Role]
    return sorted(codes or (), key=lambda c: order.index(c) if c in order else len(order))


@register.simple_tag(takes_context=True)
def nav_flags(context) -> dict:
    """Which menu entries to offer, from the role codes already in the context (no queries).
    The pages check again themselves; hiding a link is a courtesy, not a permission."""
    roles = set(context.get("user_roles") or ())
    user = context.get("user")
    is_admin = Role.ADMINISTRATOR.value in roles
    return {
        "staff": bool(roles & {r.value for r in STAFF_ROLES}),
        "journal": is_admin or bool(roles & {Role.COMMAND_CENTRE.value, Role.BUREAU_HEAD.value}),
        "admin": bool(user is not None and getattr(user, "is_staff", False)),
    }


@register.filter
def widget(bound_field):
    """A form field's widget with Tabler's classes, marked ``is-invalid`` when it has errors
    (so the message printed under it is tied to it visually and for screen readers)."""
    attrs = dict(bound_field.field.widget.attrs)
    base = "form-select" if isinstance(bound_field.field.widget, forms.Select) else "form-control"
    classes = attrs.get("class", base).split()
    if base not in classes:
        classes.append(base)
    if bound_field.errors:
        classes.append("is-invalid")
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{bound_field.auto_id}_error"
    attrs["class"] = " ".join(classes)
    return bound_field.as_widget(attrs=attrs)


@register.filter
def page_range(page):
    """Page numbers around the current one, with ``Paginator.ELLIPSIS`` for the gaps."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


@register.filter
def pretty_json(value) -> str:
    """A journal snapshot as indented JSON, Chinese kept readable (autoescaped on output)."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str)

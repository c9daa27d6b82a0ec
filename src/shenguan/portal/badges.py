"""Status badges: one colour per value, as NetBox's ``ChoiceSet`` does, so a reader learns a
colour once and recognises it on every page. Later apps register their own state colours with
``register`` (e.g. an application's workflow states) instead of hard-coding CSS classes."""

from __future__ import annotations

from django.utils.html import format_html

# Tabler's light badge variants (``bg-<colour>-lt``) stay readable in print and for colour-blind
# readers because the label is always printed too.
COLOURS = {
    "blue",
    "azure",
    "indigo",
    "purple",
    "pink",
    "red",
    "orange",
    "yellow",
    "lime",
    "green",
    "teal",
    "cyan",
    "secondary",
}

_REGISTRY: dict[str, dict[str, str]] = {
    # catalog.choices.ApprovalClass: the stricter the class, the warmer the colour.
    "approval_class": {"controlled": "red", "cautious": "orange", "encouraged": "green"},
    "power_kind": {
        "licensing": "blue",
        "confirmation": "azure",
        "payment": "teal",
        "reward": "lime",
        "adjudication": "indigo",
        "other": "secondary",
        "public_service": "cyan",
        "inspection": "purple",
        "levy": "yellow",
        "penalty": "red",
        "coercion": "pink",
    },
    "enforcement_class": {
        "inspection": "purple",
        "levy": "yellow",
        "penalty": "red",
        "coercion": "pink",
    },
    "credit_tier": {"A": "green", "B": "blue", "C": "yellow", "D": "red"},
    "party_kind": {"enterprise": "indigo", "individual": "teal"},
    "grid_kind": {
        "village": "lime",
        "community": "azure",
        "industrial_park": "orange",
        "enterprise": "indigo",
    },
    "department_kind": {
        "approval_bureau": "blue",
        "enforcement_bureau": "red",
        "business": "teal",
        "command_centre": "purple",
        "other": "secondary",
    },
    "section_kind": {
        "section": "blue",
        "window": "cyan",
        "squad": "red",
        "legal": "purple",
        "office": "secondary",
    },
    "journal_source": {
        "ui": "blue",
        "api": "indigo",
        "admin": "orange",
        "command": "purple",
        "worker": "teal",
        "system": "secondary",
    },
    "material": {"essential": "red", "non_essential": "secondary", "deferrable": "green"},
    "stage": {
        "intake": "blue",
        "case_filing": "indigo",
        "investigation": "purple",
        "review": "azure",
        "notice": "yellow",
        "decision": "red",
        "service": "teal",
        "execution": "orange",
        "supervision": "green",
        "other": "secondary",
    },
}


def register(group: str, colours: dict[str, str]) -> None:
    """Add or override the colours of one group of values (call from an app's ``ready``)."""
    unknown = set(colours.values()) - COLOURS
    if unknown:
        raise ValueError(f"unknown badge colours for {group}: {sorted(unknown)}")
    _REGISTRY.setdefault(group, {}).update(colours)


def colour(group: str, value) -> str:
    return _REGISTRY.get(group, {}).get(str(value), "secondary")


def badge_html(group: str, value, label=None) -> str:
    """``<span class="badge bg-red-lt" data-value="controlled">控制类</span>``"""
    if value in (None, ""):
        return ""
    return format_html(
        '<span class="badge bg-{}-lt sg-badge" data-badge="{}" data-value="{}">{}</span>',
        colour(group, value),
        group,
        value,
        label if label not in (None, "") else value,
    )

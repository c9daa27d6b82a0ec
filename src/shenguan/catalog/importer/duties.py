"""Splitting a published responsibility text (责任事项) into stage duties.

Published lists write the duties as one numbered text: "1.受案阶段责任：…\\n2.调查阶段责任：…",
also with "1、", "5 .", circled numbers "①受理：…" or all on one line ("…立案。2.调查责任：…").
Each numbered item becomes one duty; the words before its colon are the stage label, kept as
published, and the stage is recognised from them."""

from __future__ import annotations

import re

from ..choices import Stage

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# A number starts an item only at the start of the text, of a line, or after the end of a
# sentence — so "7日内" or "第五十条" inside an item never split it.
_MARKER = re.compile(
    r"(?:^|(?<=[\n。；;！!]))[ \t\u3000]*(?:(?P<num>\d{1,2})[ \t]*[.、．](?!\d)|(?P<circ>["
    + _CIRCLED
    + r"]))[ \t\u3000]*"
)
_LABEL_MAX = 20  # a colon further into the item belongs to its text, not to a label

# Order matters: the first keyword found in the label decides ("事后监管" before "审查"…).
STAGE_KEYWORDS: tuple[tuple[tuple[str, ...], Stage], ...] = (
    (("受理", "受案"), Stage.INTAKE),
    (("立案",), Stage.CASE_FILING),
    (("调查",), Stage.INVESTIGATION),
    (("审查", "审核"), Stage.REVIEW),
    (("告知",), Stage.NOTICE),
    (("决定",), Stage.DECISION),
    (("送达",), Stage.SERVICE),
    (("执行",), Stage.EXECUTION),
    (("监管", "事后"), Stage.SUPERVISION),
)


def stage_of(label: str) -> str:
    for words, stage in STAGE_KEYWORDS:
        if any(word in label for word in words):
            return stage.value
    return Stage.OTHER.value


def _number(match: re.Match) -> int:
    if match.group("num"):
        return int(match.group("num"))
    return _CIRCLED.index(match.group("circ")) + 1


def _items(text: str) -> list[str]:
    markers = []
    last = 0
    for match in _MARKER.finditer(text):
        number = _number(match)
        # Items count upwards (gaps happen: one Xi'an entry goes 5, 7); a smaller number is
        # a list inside an item's text, not a new item.
        if number > last:
            markers.append(match)
            last = number
    if not markers:
        return [text.strip()] if text.strip() else []
    head = text[: markers[0].start()]
    items = [head] if head.strip() else []  # an unnumbered preamble stays a duty of its own
    for i, match in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(text)
        items.append(text[match.end() : end])
    return [item.strip() for item in items if item.strip()]


def split_duties(text: str) -> list[dict]:
    """``[{stage, stage_label, text}, …]`` in published order; empty text gives ``[]``."""
    duties = []
    for item in _items(text or ""):
        label, body = "", item
        colon = min((i for i in (item.find("："), item.find(":")) if i >= 0), default=-1)
        if 0 < colon <= _LABEL_MAX:
            label, body = item[:colon].strip(), item[colon + 1 :].strip()
        if not body:
            body, label = item, ""
        duties.append(
            {
                "stage": stage_of(label or body[:_LABEL_MAX]),
                "stage_label": label,
                "text": body,
            }
        )
    return duties

"""The no-penalty list (不予处罚清单): reading a rule's conditions and finding the benchmarks it
belongs to. Pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .choices import ConditionMode, NoPenaltyOutcome

RULE_COLUMNS = ("seq", "category", "violation", "violated_provision", "no_penalty_conditions")
OPTIONAL_COLUMNS = ("notes", "benchmark_codes")


@dataclass
class ParsedRule:
    line: int
    seq: int
    category: str
    violation: str
    violated_provision: str
    conditions: str
    notes: str
    condition_items: list[str]
    condition_mode: str
    outcome: str
    given_codes: list[str] = field(default_factory=list)

    def source(self) -> dict:
        return {
            "seq": self.seq,
            "category": self.category,
            "violation": self.violation,
            "violated_provision": self.violated_provision,
            "no_penalty_conditions": self.conditions,
            "notes": self.notes,
            "benchmark_codes": self.given_codes,
        }


def split_conditions(text: str) -> list[str]:
    """「…：（1）属于首次违法；（2）在责令改正期限内改正…」 → the numbered items."""
    parts = re.split(r"[（(]\d+[）)]", text)
    items = [re.sub(r"[；;。\s]+$", "", p).strip() for p in parts[1:]]
    return [i for i in items if i] or [text.strip()]


def condition_mode(text: str) -> str:
    return ConditionMode.ANY if re.search(r"之一", text.split("：")[0]) else ConditionMode.ALL


def outcome(text: str) -> str:
    """「依法可以不予行政处罚」 is discretionary (art 33 ¶1 second sentence); plain 「不予行政处罚」
    is not."""
    head = text.split("：")[0]
    return NoPenaltyOutcome.MAY if "可以不予" in head else NoPenaltyOutcome.SHALL


def parse_rule(row: dict, line: int) -> ParsedRule:
    """One CSV row (dict by column); raises ValueError with a message for the fault report."""
    seq_text = (row.get("seq") or "").strip()
    if not seq_text.isdigit() or int(seq_text) < 1:
        raise ValueError(f"序号「{seq_text}」不是正整数")
    for name in ("violation", "no_penalty_conditions"):
        if not (row.get(name) or "").strip():
            raise ValueError(f"缺少「{name}」")
    conditions = row["no_penalty_conditions"].strip()
    if "不予" not in conditions:
        raise ValueError("不予处罚情形中没有「不予」字样，无法判断结果")
    codes = [c.strip() for c in re.split(r"[,，;；\s]+", row.get("benchmark_codes") or "") if c]
    return ParsedRule(
        line=line,
        seq=int(seq_text),
        category=(row.get("category") or "").strip(),
        violation=row["violation"].strip(),
        violated_provision=(row.get("violated_provision") or "").strip(),
        conditions=conditions,
        notes=(row.get("notes") or "").strip(),
        condition_items=split_conditions(conditions),
        condition_mode=condition_mode(conditions),
        outcome=outcome(conditions),
        given_codes=codes,
    )


_REF = re.compile(
    r"(?P<law>《[^》]+》)(?P<article>第[一二三四五六七八九十百零〇]+条)"
    r"(?P<paragraph>第[一二三四五六七八九十]+款)?"
)


def _norm(text: str) -> str:
    return re.sub(r"\s", "", text or "").replace("中华人民共和国", "")


def provision_ref(text: str) -> tuple[str, str, str] | None:
    m = _REF.match(_norm(text))
    if not m:
        return None
    return m.group("law"), m.group("article"), m.group("paragraph") or ""


def link(rule: ParsedRule, benchmarks: list[tuple[str, str]]) -> tuple[list[str], str]:
    """The codes of the benchmarks a rule applies to, and how they were found.

    ``benchmarks`` are (code, violated_provision). Codes given in the file win. Otherwise a
    benchmark matches when its violated provision cites the rule's law and article, and the
    paragraph too when the rule names one; failing any paragraph match, a single benchmark
    citing the article matches. Anything else is left unlinked (the officer may still name
    the rule when calculating)."""
    known = {code for code, _ in benchmarks}
    if rule.given_codes:
        missing = [c for c in rule.given_codes if c not in known]
        if missing:
            raise ValueError(f"benchmark_codes 中的编号不存在：{'、'.join(missing)}")
        return list(dict.fromkeys(rule.given_codes)), "来源文件给出"
    ref = provision_ref(rule.violated_provision)
    if ref is None:
        return [], "违反条款无法识别，未匹配"
    law, article, paragraph = ref
    by_article = [
        code for code, text in benchmarks if law in _norm(text) and article in _norm(text)
    ]
    if paragraph:
        exact = [c for c, t in benchmarks if c in by_article and article + paragraph in _norm(t)]
        if exact:
            return list(dict.fromkeys(exact)), f"按 {law}{article}{paragraph} 匹配"
    elif by_article:
        return list(dict.fromkeys(by_article)), f"按 {law}{article} 匹配"
    if len(set(by_article)) == 1:
        return [by_article[0]], f"按 {law}{article} 匹配（条款未细到款）"
    if by_article:
        return [], f"{law}{article} 对应多个基准（{'、'.join(by_article)}），未自动匹配"
    return [], f"没有引用 {law}{article} 的基准"

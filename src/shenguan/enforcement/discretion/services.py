"""Discretion benchmark services: the only code that writes benchmark tables.

A table version is written whole and never edited: an import that differs from the newest
version, or an administrator's revision, writes a new version (one transaction: lock the
newest version, write every row, journal, outbox); the version it replaces ends the day before
the new one starts. Only ``close_table`` changes a version in place (its end date).

``user`` is the person acting (only administrators may change benchmarks); ``user=None`` is the
system (the import command)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shenguan.core import journal, outbox
from shenguan.core import services as core
from shenguan.core.errors import Conflict, DomainError, Forbidden, NotFound
from shenguan.core.permissions import Scope

from .importer import (
    Content,
    Fault,
    ImportRejected,
    ImportReport,
    benchmarks_hash,
    read_files,
    rules_hash,
)
from .models import Benchmark, BenchmarkRow, BenchmarkTable, NoPenaltyRule
from .rules import ParsedRule, link, parse_rule
from .tables import EntryFault, ParsedBenchmark, parse_entry

META_FIELDS = ("issuing_document", "issuing_authority", "effective_from", "band_count")
BENCHMARK_EDITABLE = (
    "code",
    "chapter",
    "violation",
    "violated_provision",
    "penalty_basis",
    "note",
    "model",
    "table_header",
    "table_rows",
    "pdf_page",
)
RULE_EDITABLE = (
    "category",
    "violation",
    "violated_provision",
    "no_penalty_conditions",
    "notes",
    "benchmark_codes",
)

# --- lookups ----------------------------------------------------------------------------------


def latest_table(name: str) -> BenchmarkTable | None:
    return BenchmarkTable.objects.filter(name=name).order_by("-version").first()


def table_in_force(name: str, day: dt.date | None = None) -> BenchmarkTable:
    """The version of ``name`` in force on ``day`` (today by default): the highest version
    whose dates cover the day. A case records this version and keeps it."""
    day = day or timezone.localdate()
    table = (
        BenchmarkTable.objects.filter(name=name, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-version")
        .first()
    )
    if table is None:
        raise NotFound(_("%(day)s 没有生效的裁量基准表「%(name)s」") % {"day": day, "name": name})
    return table


def find_benchmark(table: BenchmarkTable, code: str, position: int | None = None) -> Benchmark:
    """A benchmark by its code in one table version. A code printed twice in the source (the
    Guangdong table has two §8.17) needs the position as well."""
    qs = Benchmark.objects.filter(table=table, code=code)
    if position is not None:
        qs = qs.filter(position=position)
    found = list(qs.order_by("position")[:3])
    if not found:
        raise NotFound(_("%(table)s 中没有编号为 %(code)s 的基准") % {"table": table, "code": code})
    if len(found) > 1:
        positions = "、".join(str(b.position) for b in found)
        raise DomainError(
            _("编号 %(code)s 在 %(table)s 中出现多次（表中序号 %(p)s），请同时给出序号")
            % {"code": code, "table": table, "p": positions},
            code="ambiguous_code",
        )
    return found[0]


# --- import -----------------------------------------------------------------------------------


def import_files(
    paths: list[Path],
    *,
    table_name: str | None = None,
    issuing_document: str | None = None,
    issuing_authority: str | None = None,
    effective_from: dt.date | None = None,
    band_count: int | None = None,
    dry_run: bool = False,
    user=None,
) -> ImportReport:
    """Import a benchmark JSON and/or a no-penalty CSV as the next version of ``table_name``.

    All or nothing: any fault refuses the whole import (``ImportRejected`` with the faults by
    entry and row). The same content again changes nothing. A JSON alone keeps the newest
    version's no-penalty list; a CSV alone keeps its benchmarks."""
    if user is not None and not Scope.of(user).is_admin:
        raise Forbidden(_("只有系统管理员可以导入裁量基准"))
    paths = [Path(p) for p in paths]
    content, report = read_files(paths)
    name = table_name or content.table.get("name") or _default_name(paths)
    if not name and not report.faults:
        report.faults.append(Fault("", _("只给了不予处罚清单时须指明 --table-name")))
    if report.faults:
        raise ImportRejected(report)
    meta = {
        "issuing_document": issuing_document,
        "issuing_authority": issuing_authority,
        "effective_from": effective_from,
        "band_count": band_count,
    }
    for key in META_FIELDS:
        if meta[key] is None and key in content.table:
            meta[key] = content.table[key]
    if meta["band_count"] is not None:
        try:
            meta["band_count"] = int(meta["band_count"])
        except (TypeError, ValueError):
            report.faults.append(Fault("table", _("band_count 应为正整数")))
            raise ImportRejected(report)
    if isinstance(meta["effective_from"], str):
        try:
            meta["effective_from"] = dt.date.fromisoformat(meta["effective_from"])
        except ValueError:
            report.faults.append(Fault("table", _("effective_from 不是日期（YYYY-MM-DD）")))
            raise ImportRejected(report)
    with transaction.atomic():
        latest = _lock_latest(name)
        if content.benchmarks is None and latest is None:
            report.faults.append(
                Fault("", _("「%(name)s」还没有基准表，不能只导入不予处罚清单") % {"name": name})
            )
            raise ImportRejected(report)
        if content.benchmarks is None:
            content.benchmarks = _parsed_benchmarks(latest)
            content.benchmarks_hash = latest.benchmarks_hash
        if content.rules is None and latest is not None:
            content.rules = _parsed_rules(latest)
            content.rules_hash = latest.rules_hash
        links = _links(content, report)
        if report.faults:
            raise ImportRejected(report)
        report.table = name
        report.unlinked_rules = [seq for seq, (codes, _note) in links.items() if not codes]
        same = latest is not None and _same(latest, content, meta)
        if same or dry_run:
            report.version = latest.version if same else (latest.version + 1 if latest else 1)
            report.dry_run = dry_run and not same
            return report
        try:
            with transaction.atomic():
                table = _write_version(
                    name,
                    latest,
                    content,
                    links,
                    meta,
                    source="、".join(p.name for p in paths),
                    change_note=_("导入"),
                )
        except (IntegrityError, DomainError) as exc:
            # a first import of the same name committed meanwhile (there was no row to lock)
            if not latest_table(name) or (latest and latest_table(name).pk == latest.pk):
                raise
            raise Conflict(
                _("「%(name)s」正被另一次导入写入，请稍后重试") % {"name": name},
                code="concurrent_import",
            ) from exc
        report.version, report.created = table.version, True
        return report


def _default_name(paths: list[Path]) -> str:
    json_files = [p for p in paths if p.suffix.lower() == ".json"]
    return json_files[0].stem if json_files else ""


def _lock_latest(name: str) -> BenchmarkTable | None:
    """Lock the newest version. Another import may have committed a newer one while this one
    waited for the lock; read again until the locked row is the newest."""
    while True:
        locked = (
            BenchmarkTable.objects.select_for_update(no_key=True)
            .filter(name=name)
            .order_by("-version")
            .first()
        )
        newest = latest_table(name)
        if newest is None or locked is None or newest.pk == locked.pk:
            return locked


def _same(latest: BenchmarkTable, content: Content, meta: dict, ignore: tuple = ()) -> bool:
    if latest.benchmarks_hash != content.benchmarks_hash:
        return False
    if (latest.rules_hash or "") != (content.rules_hash or ""):
        return False
    return all(
        meta[k] is None or getattr(latest, k) == meta[k] for k in META_FIELDS if k not in ignore
    )


def _parsed_benchmarks(table: BenchmarkTable) -> list[ParsedBenchmark]:
    """The table's benchmarks read again from their stored source entries (the same parser
    gives the same result, so a copy is exact)."""
    return [
        parse_entry(b.source, b.position)
        for b in Benchmark.objects.filter(table=table).order_by("position")
    ]


def _parsed_rules(table: BenchmarkTable) -> list[ParsedRule]:
    out = []
    for rule in NoPenaltyRule.objects.filter(table=table).order_by("seq"):
        row = dict(rule.source)
        row["seq"] = str(row.get("seq", rule.seq))
        row["benchmark_codes"] = "，".join(row.get("benchmark_codes") or [])
        out.append(parse_rule(row, rule.seq))
    return out


def _links(content: Content, report: ImportReport) -> dict[int, tuple[list[str], str]]:
    pairs = [(b.code, b.violated_provision) for b in content.benchmarks or []]
    links = {}
    for rule in content.rules or []:
        try:
            links[rule.seq] = link(rule, pairs)
        except ValueError as exc:
            report.faults.append(Fault(f"不予处罚清单第 {rule.line} 行", str(exc)))
    return links


def _decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-8"))


def _write_version(
    name: str,
    latest: BenchmarkTable | None,
    content: Content,
    links: dict,
    meta: dict,
    *,
    source: str,
    change_note: str,
) -> BenchmarkTable:
    """Write one whole version; runs inside the caller's transaction, latest locked."""
    values = {
        k: (meta[k] if meta[k] is not None else getattr(latest, k, None)) for k in META_FIELDS
    }
    if values["effective_from"] is None:
        values["effective_from"] = timezone.localdate()
    if values["band_count"] is None:
        values["band_count"] = 4
    for key in ("issuing_document", "issuing_authority"):
        values[key] = values[key] or ""
    if latest is not None and values["effective_from"] < latest.effective_from:
        raise DomainError(
            _("新版本的生效日期 %(new)s 早于第 %(v)d 版的 %(old)s")
            % {"new": values["effective_from"], "v": latest.version, "old": latest.effective_from},
            code="effective_from_order",
        )
    table = BenchmarkTable(
        name=name,
        version=(latest.version + 1) if latest else 1,
        source=source[:500],
        change_note=change_note[:500],
        benchmarks_hash=content.benchmarks_hash,
        rules_hash=content.rules_hash or "",
        previous=latest,
        **values,
    )
    core.full_clean(table)
    table.save()
    benchmarks = Benchmark.objects.bulk_create(
        [_benchmark(table, parsed) for parsed in content.benchmarks]
    )
    rows = []
    for bench, parsed in zip(benchmarks, content.benchmarks, strict=True):
        rows.extend(_row(bench, r) for r in parsed.rows)
    BenchmarkRow.objects.bulk_create(rows, batch_size=500)
    _write_rules(table, benchmarks, content.rules or [], links)
    if latest is not None:
        _supersede(latest, table)
    journal.record(
        "enforcement.benchmark_table.created",
        table,
        after={
            **journal.snapshot(table),
            "benchmarks": len(benchmarks),
            "rows": len(rows),
            "no_penalty_rules": len(content.rules or []),
        },
    )
    outbox.emit(
        "enforcement.benchmark_table.created",
        table,
        {"id": table.pk, "name": table.name, "version": table.version},
    )
    return table


def _benchmark(table: BenchmarkTable, parsed: ParsedBenchmark) -> Benchmark:
    limits = parsed.primary_limits
    return Benchmark(
        table=table,
        position=parsed.position,
        code=parsed.code[:32],
        chapter=parsed.chapter[:100],
        violation=parsed.violation,
        violated_provision=parsed.violated_provision,
        penalty_basis=parsed.penalty_basis,
        model=parsed.model,
        header=parsed.header,
        note=parsed.note,
        pdf_page=parsed.pdf_page,
        statutory_ranges=parsed.statutory_ranges,
        legal_min=limits.min,
        legal_max=limits.max,
        legal_base=limits.base,
        limits_source=limits.source if limits.source != "none" else "",
        schemes=parsed.schemes,
        fine_columns=parsed.fine_columns,
        parse_notes=parsed.notes,
        source=parsed.source,
    )


def _row(bench: Benchmark, parsed) -> BenchmarkRow:
    fine = parsed.fine
    return BenchmarkRow(
        benchmark=bench,
        position=parsed.position,
        kind=parsed.kind,
        cells=parsed.cells,
        conduct=parsed.conduct,
        factor=parsed.factor[:500],
        degree=parsed.degree,
        circumstances=parsed.circumstances,
        weight_text=parsed.weight_text[:20],
        weight=_decimal(parsed.weight),
        weights=parsed.weights,
        fine_text=(fine.text if fine else "")[:300],
        fine_min=fine.min if fine else None,
        fine_max=fine.max if fine else None,
        fine_base=fine.base if fine else "",
        fines=parsed.fines,
        continues=parsed.continues,
        note=parsed.note,
    )


def _write_rules(table, benchmarks: list[Benchmark], rules: list[ParsedRule], links) -> None:
    if not rules:
        return
    created = NoPenaltyRule.objects.bulk_create(
        [
            NoPenaltyRule(
                table=table,
                seq=rule.seq,
                category=rule.category[:100],
                violation=rule.violation,
                violated_provision=rule.violated_provision,
                conditions=rule.conditions,
                condition_items=rule.condition_items,
                condition_mode=rule.condition_mode,
                outcome=rule.outcome,
                notes=rule.notes,
                benchmark_codes=links[rule.seq][0],
                link_note=links[rule.seq][1][:300],
                source=rule.source(),
            )
            for rule in rules
        ]
    )
    by_code: dict[str, list[int]] = {}
    for bench in benchmarks:
        by_code.setdefault(bench.code, []).append(bench.pk)
    through = NoPenaltyRule.benchmarks.through
    through.objects.bulk_create(
        [
            through(nopenaltyrule_id=rule.pk, benchmark_id=pk)
            for rule in created
            for code in rule.benchmark_codes
            for pk in by_code.get(code, [])
        ]
    )


def _supersede(previous: BenchmarkTable, new: BenchmarkTable) -> None:
    """The version replaced ends the day before the new one starts (unless it already ends
    earlier, or the new one starts the same day and simply outranks it)."""
    end = new.effective_from - dt.timedelta(days=1)
    if end < previous.effective_from:
        return
    if previous.effective_to is not None and previous.effective_to <= end:
        return
    before = {"effective_to": previous.effective_to}
    BenchmarkTable.objects.filter(pk=previous.pk).update(effective_to=end)
    previous.effective_to = end
    journal.record(
        "enforcement.benchmark_table.superseded",
        previous,
        before=before,
        after={"effective_to": end, "superseded_by": new.version},
    )


# --- revisions by an administrator (each one a new version) -----------------------------------


def _latest_for_change(user, table_id: int) -> BenchmarkTable:
    table = core.lock_for_change(user, BenchmarkTable, table_id)
    newest = latest_table(table.name)
    if newest.pk != table.pk:
        raise Conflict(
            _("只能在最新版本（第 %(v)d 版）上修订") % {"v": newest.version},
            code="not_latest_version",
        )
    return table


def _revise(
    table: BenchmarkTable,
    benchmarks: list[ParsedBenchmark],
    rules: list[ParsedRule],
    meta: dict,
    change_note: str,
) -> BenchmarkTable:
    content = Content(
        benchmarks=benchmarks,
        rules=rules,
        benchmarks_hash=benchmarks_hash(benchmarks),
        rules_hash=rules_hash(rules) if rules else "",
    )
    report = ImportReport()
    links = _links(content, report)
    if report.faults:
        raise DomainError("; ".join(str(f) for f in report.faults))
    if _same(table, content, meta, ignore=("effective_from",)):
        raise DomainError(_("没有改动"), code="no_change")
    return _write_version(
        table.name, table, content, links, meta, source=table.source, change_note=change_note
    )


def _meta(effective_from: dt.date | None, **changes) -> dict:
    meta = dict.fromkeys(META_FIELDS)
    meta["effective_from"] = effective_from or timezone.localdate()
    meta.update(changes)
    return meta


def revise_benchmark(
    benchmark_id: int,
    changes: dict,
    *,
    user=None,
    effective_from: dt.date | None = None,
    change_note: str = "",
) -> Benchmark:
    """A new table version in which one benchmark's published text is changed. ``changes``
    may hold ``code, chapter, violation, violated_provision, penalty_basis, note, model,
    table_header, table_rows, pdf_page``; the entry is read again as on import."""
    unknown = set(changes) - set(BENCHMARK_EDITABLE)
    if unknown:
        raise DomainError(_("不能修改：%(f)s") % {"f": "、".join(sorted(unknown))})
    with transaction.atomic():
        bench = Benchmark.objects.filter(pk=benchmark_id).first()
        if bench is None:
            raise NotFound(_("裁量基准 %(id)s 不存在") % {"id": benchmark_id})
        table = _latest_for_change(user, bench.table_id)
        parsed = _parsed_benchmarks(table)
        index = next(i for i, p in enumerate(parsed) if p.position == bench.position)
        entry = {**parsed[index].source, **changes}
        try:
            parsed[index] = parse_entry(entry, bench.position)
        except EntryFault as fault:
            where = _("第 %(r)d 行：") % {"r": fault.row} if fault.row else ""
            raise DomainError(where + fault.message, code="invalid_benchmark")
        note = change_note or _("修订基准 %(code)s") % {"code": bench.code}
        new = _revise(table, parsed, _parsed_rules(table), _meta(effective_from), note)
        result = Benchmark.objects.get(table=new, position=bench.position)
        core.recheck_visible(user, result)
        return result


def revise_row(
    row_id: int,
    cells: list,
    *,
    user=None,
    effective_from: dt.date | None = None,
    change_note: str = "",
) -> BenchmarkRow:
    """A new table version in which one table row's cells are replaced."""
    row = BenchmarkRow.objects.select_related("benchmark").filter(pk=row_id).first()
    if row is None:
        raise NotFound(_("基准行 %(id)s 不存在") % {"id": row_id})
    if not isinstance(cells, list):
        raise DomainError(_("单元格应为数组"))
    rows = list(row.benchmark.source.get("table_rows") or [])
    rows[row.position - 1] = cells
    new_bench = revise_benchmark(
        row.benchmark_id,
        {"table_rows": rows},
        user=user,
        effective_from=effective_from,
        change_note=change_note
        or _("修订基准 %(code)s 第 %(r)d 行") % {"code": row.benchmark.code, "r": row.position},
    )
    return BenchmarkRow.objects.get(benchmark=new_bench, position=row.position)


def revise_rule(
    rule_id: int,
    changes: dict,
    *,
    user=None,
    effective_from: dt.date | None = None,
    change_note: str = "",
) -> NoPenaltyRule:
    """A new table version in which one no-penalty rule is changed."""
    unknown = set(changes) - set(RULE_EDITABLE)
    if unknown:
        raise DomainError(_("不能修改：%(f)s") % {"f": "、".join(sorted(unknown))})
    with transaction.atomic():
        rule = NoPenaltyRule.objects.filter(pk=rule_id).first()
        if rule is None:
            raise NotFound(_("不予处罚事项 %(id)s 不存在") % {"id": rule_id})
        table = _latest_for_change(user, rule.table_id)
        rules = _parsed_rules(table)
        index = next(i for i, r in enumerate(rules) if r.seq == rule.seq)
        row = {**rules[index].source(), **changes, "seq": str(rule.seq)}
        if isinstance(row.get("benchmark_codes"), list):
            row["benchmark_codes"] = "，".join(row["benchmark_codes"])
        try:
            rules[index] = parse_rule(row, rule.seq)
        except ValueError as exc:
            raise DomainError(str(exc), code="invalid_rule")
        note = change_note or _("修订不予处罚事项 %(seq)d") % {"seq": rule.seq}
        new = _revise(table, _parsed_benchmarks(table), rules, _meta(effective_from), note)
        return NoPenaltyRule.objects.get(table=new, seq=rule.seq)


def revise_table(
    table_id: int,
    changes: dict,
    *,
    user=None,
    effective_from: dt.date | None = None,
    change_note: str = "",
) -> BenchmarkTable:
    """A new version with other metadata (issuing document, authority, band count)."""
    allowed = {"issuing_document", "issuing_authority", "band_count"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(_("不能修改：%(f)s") % {"f": "、".join(sorted(unknown))})
    with transaction.atomic():
        table = _latest_for_change(user, table_id)
        meta = _meta(effective_from, **changes)
        new = _revise(
            table,
            _parsed_benchmarks(table),
            _parsed_rules(table),
            meta,
            change_note or _("修订基准表信息"),
        )
        core.recheck_visible(user, new)
        return new


def close_table(table_id: int, effective_to: dt.date, *, user=None) -> BenchmarkTable:
    """End a version (e.g. the issuing document is repealed): the one in-place change."""
    return core.update_object(
        BenchmarkTable,
        table_id,
        {"effective_to": effective_to},
        user=user,
        action="enforcement.benchmark_table.closed",
    )

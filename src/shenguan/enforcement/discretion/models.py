"""Discretion benchmark tables (行政处罚裁量基准).

A ``BenchmarkTable`` row is one **version** of a published table: its benchmarks, rows and
no-penalty rules never change once written. A new import that differs, or an administrator's
edit, makes a new version (services.py); a penalty case records the version it used, so its
rationale can always be read back. Benchmarks must be published (行政处罚法 art 34): anyone may
read them; only administrators change them, and only through the services."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet

from .choices import BenchmarkModel, ConditionMode, NoPenaltyOutcome, RowKind
from .parsing import Amount, parse_weight


class _Published:
    """行政处罚法 art 34: benchmarks are published — everyone reads, administrators change."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        return qs if action == "view" else qs.none()


class BenchmarkTable(_Published, models.Model):
    name = models.CharField(_("基准名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本"))
    issuing_document = models.CharField(
        _("发布文件"), max_length=200, blank=True, help_text=_("例如 粤环发〔2021〕7号")
    )
    issuing_authority = models.CharField(_("制定机关"), max_length=200, blank=True)
    effective_from = models.DateField(_("生效日期"))
    effective_to = models.DateField(_("失效日期"), null=True, blank=True)
    band_count = models.PositiveSmallIntegerField(
        _("档次数"),
        default=4,
        help_text=_(
            "百分比权重模式下，从轻或从重时把法定幅度分成几档（轻微/一般/较重/严重为 4 档）"
        ),
    )
    source = models.CharField(_("来源文件"), max_length=500, blank=True)
    change_note = models.CharField(_("修订说明"), max_length=500, blank=True)
    benchmarks_hash = models.CharField(max_length=64, editable=False)
    rules_hash = models.CharField(max_length=64, editable=False, blank=True)
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上一版本"),
    )
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("裁量基准表")
        verbose_name_plural = _("裁量基准表")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="benchmark_table_version"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="benchmark_table_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(band_count__gte=1), name="band_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


class Benchmark(_Published, models.Model):
    """One violation's benchmark, with the text of the table as published."""

    table = models.ForeignKey(
        BenchmarkTable,
        on_delete=models.CASCADE,
        related_name="benchmarks",
        verbose_name=_("基准表"),
    )
    position = models.PositiveIntegerField(_("表中序号"))
    code = models.CharField(_("编号"), max_length=32, db_index=True)
    chapter = models.CharField(_("类别"), max_length=100, blank=True)
    violation = models.TextField(_("违法行为"))
    violated_provision = models.TextField(_("违反条款"), blank=True)
    penalty_basis = models.TextField(_("处罚依据"))
    model = models.CharField(_("裁量模式"), max_length=20, choices=BenchmarkModel.choices)
    header = models.JSONField(_("表头"), default=list)
    note = models.TextField(_("备注"), blank=True, help_text=_("百分比权重模式的计算公式在此"))
    pdf_page = models.PositiveIntegerField(_("原文页码"), null=True, blank=True)
    statutory_ranges = models.JSONField(
        _("法定罚款幅度"), default=list, blank=True, help_text=_("从处罚依据读出的全部幅度")
    )
    legal_min = models.DecimalField(
        _("法定下限"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    legal_max = models.DecimalField(
        _("法定上限"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    legal_base = models.CharField(
        _("幅度基数"),
        max_length=50,
        blank=True,
        help_text=_("空：上下限为元；否则为该基数（如 违法所得）的倍数或比例"),
    )
    limits_source = models.CharField(
        _("上下限来源"), max_length=10, blank=True, help_text=_("statute 法定；table 表内档次")
    )
    schemes = models.JSONField(
        _("权重栏目"), default=list, blank=True, help_text=_("百分比权重模式：起点、公式、上限")
    )
    fine_columns = models.JSONField(
        _("罚款栏目"), default=list, blank=True, help_text=_("情形档次模式：各罚款栏及其上下限")
    )
    parse_notes = models.JSONField(_("读取说明"), default=list, blank=True)
    source = models.JSONField(_("原始条目"), default=dict, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("裁量基准")
        verbose_name_plural = _("裁量基准")
        ordering = ["table", "position"]
        constraints = [
            models.UniqueConstraint(fields=["table", "position"], name="benchmark_position"),
        ]
        indexes = [models.Index(fields=["table", "code"])]

    def __str__(self) -> str:
        return f"{self.code} {self.violation[:40]}"

    def scheme(self, key: str | None) -> dict | None:
        for scheme in self.schemes:
            if key in (scheme["key"], scheme.get("label")):
                return scheme
        return None


class BenchmarkRow(_Published, models.Model):
    """One row of a benchmark's table, in order, with its cells as published and what was read
    from them."""

    benchmark = models.ForeignKey(
        Benchmark, on_delete=models.CASCADE, related_name="rows", verbose_name=_("裁量基准")
    )
    position = models.PositiveIntegerField(_("行号"))
    kind = models.CharField(_("行类型"), max_length=20, choices=RowKind.choices)
    cells = models.JSONField(_("原始单元格"), default=list)
    conduct = models.TextField(_("违法行为"), blank=True)
    factor = models.CharField(
        _("裁量要素/情形"), max_length=500, blank=True, help_text=_("情形档次模式为各情形栏名")
    )
    degree = models.TextField(_("违法程度/情形"), blank=True)
    circumstances = models.JSONField(_("情形"), default=list, blank=True)
    weight_text = models.CharField(_("裁量权重"), max_length=20, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=12, decimal_places=8, null=True, blank=True)
    weights = models.JSONField(
        _("各栏权重"), default=dict, blank=True, help_text=_("裁量起点行：各权重栏的起点")
    )
    fine_text = models.CharField(_("罚款"), max_length=300, blank=True)
    fine_min = models.DecimalField(
        _("罚款下限"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    fine_max = models.DecimalField(
        _("罚款上限"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    fine_base = models.CharField(
        _("罚款基数"), max_length=50, blank=True, help_text=_("空：元；否则为该基数的倍数或比例")
    )
    fines = models.JSONField(_("各罚款栏"), default=list, blank=True)
    continues = models.PositiveIntegerField(
        _("续接行号"), null=True, blank=True, help_text=_("分页续行：并入的上一行")
    )
    note = models.TextField(_("读取说明"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("基准行")
        verbose_name_plural = _("基准行")
        ordering = ["benchmark", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["benchmark", "position"], name="benchmark_row_position"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benchmark.code}#{self.position} {self.text[:40]}"

    @property
    def text(self) -> str:
        if self.kind == RowKind.FACTOR:
            return f"{self.factor}：{self.degree}（{self.weight_text}）"
        if self.kind == RowKind.BAND:
            return f"{self.degree or self.conduct} → {self.fine_text}"
        if self.kind == RowKind.START:
            return f"裁量起点 {self.weight_text}"
        return " | ".join(str(c) for c in self.cells if c)

    @property
    def exact_weight(self) -> Fraction | None:
        """The weight as published (1/3 stays a third)."""
        return parse_weight(self.weight_text)

    def weight_for(self, scheme_key: str) -> Fraction | None:
        if self.weights:
            text = self.weights.get(scheme_key)
            return parse_weight(text) if text else None
        return self.exact_weight

    def fine_amounts(self) -> list[tuple[str, Amount]]:
        return [(f.get("column") or "", Amount.from_dict(f)) for f in self.fines]


class NoPenaltyRule(_Published, models.Model):
    """An entry of the list of minor violations not penalised (不予处罚清单), with the
    conditions it names. ``benchmarks`` are the benchmarks of the same table it applies to."""

    table = models.ForeignKey(
        BenchmarkTable,
        on_delete=models.CASCADE,
        related_name="no_penalty_rules",
        verbose_name=_("基准表"),
    )
    seq = models.PositiveIntegerField(_("序号"))
    category = models.CharField(_("类别"), max_length=100, blank=True)
    violation = models.TextField(_("违法行为"))
    violated_provision = models.TextField(_("违反条款"), blank=True)
    conditions = models.TextField(_("不予处罚情形"))
    condition_items = models.JSONField(_("逐项条件"), default=list, blank=True)
    condition_mode = models.CharField(
        _("条件关系"), max_length=10, choices=ConditionMode.choices, default=ConditionMode.ALL
    )
    outcome = models.CharField(
        _("结果"), max_length=10, choices=NoPenaltyOutcome.choices, default=NoPenaltyOutcome.SHALL
    )
    notes = models.TextField(_("说明"), blank=True)
    benchmark_codes = models.JSONField(
        _("对应基准编号"), default=list, blank=True, help_text=_("来源文件给出或按违反条款匹配")
    )
    link_note = models.CharField(_("匹配说明"), max_length=300, blank=True)
    source = models.JSONField(_("原始行"), default=dict, blank=True)
    benchmarks = models.ManyToManyField(
        Benchmark, related_name="no_penalty_rules", blank=True, verbose_name=_("对应基准")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("不予处罚事项")
        verbose_name_plural = _("不予处罚清单")
        ordering = ["table", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["table", "seq"], name="no_penalty_rule_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.seq}. {self.violation[:40]}"

"""The credit archive: a versioned policy, credit events per party, list entries, repair
applications, and the computed standing with its history of tier changes.

Only ``credit.services`` writes these rows. Events, list entries and tier changes are never
deleted: an event leaves publication (expiry, repair), a list entry is exited, a tier change is
superseded by the next one, so that the archive can always explain a past decision."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shenguan.core.querysets import RestrictedQuerySet
from shenguan.parties.choices import CreditTier

from .choices import (
    EventKind,
    ExitReason,
    ListKind,
    ListTrigger,
    PublicationEnd,
    RepairStatus,
    Source,
)


class _StaffReadable:
    """Policy tables: read by staff, changed by administrators (through the services)."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        if action == "view" and scope.is_staff_member:
            return qs
        return qs.none()


class _PartyRecord:
    """A record of one party: seen by whoever sees the party (its own account included).
    Changes go through the services, which check the roles themselves."""

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        from shenguan.parties.models import Party

        if action != "view":
            return qs.none()
        return qs.filter(party_id__in=Party.objects.restrict(scope.user, "view").values("pk"))


# --- policy -----------------------------------------------------------------------------------


class CreditPolicy(_StaffReadable, models.Model):
    """One version of the credit policy. Versions are never edited: a change is a new version
    with its own effective date; each event, list entry and tier change keeps the version it
    was computed under."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    effective_from = models.DateField(_("生效日期"))
    base_score = models.IntegerField(_("基础分"), default=70)
    tier_a_min = models.IntegerField(_("A级最低分"), default=90)
    tier_b_min = models.IntegerField(_("B级最低分"), default=60)
    tier_c_min = models.IntegerField(_("C级最低分"), default=30, help_text=_("低于此分为D级"))
    # 浙江省综合行政执法条例 art 21: sampling rises with bad credit and falls with good credit.
    sampling_weight_a = models.FloatField(_("A级抽查权重"), default=0.5)
    sampling_weight_b = models.FloatField(_("B级抽查权重"), default=1.0)
    sampling_weight_c = models.FloatField(_("C级抽查权重"), default=2.0)
    sampling_weight_d = models.FloatField(_("D级抽查权重"), default=4.0)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用政策")
        verbose_name_plural = _("信用政策版本")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(tier_a_min__gt=models.F("tier_b_min"))
                & Q(tier_b_min__gt=models.F("tier_c_min")),
                name="credit_policy_thresholds_descend",
            ),
            models.CheckConstraint(
                condition=Q(sampling_weight_a__gte=0)
                & Q(sampling_weight_b__gte=0)
                & Q(sampling_weight_c__gte=0)
                & Q(sampling_weight_d__gte=0),
                name="credit_policy_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.effective_from})"

    def clean(self):
        from django.core.exceptions import ValidationError

        if not (self.tier_a_min > self.tier_b_min > self.tier_c_min):
            raise ValidationError({"tier_b_min": _("分数线须满足 A级 > B级 > C级")})

    @classmethod
    def in_force(cls, day: dt.date | None = None) -> CreditPolicy | None:
        """The version in force on ``day``: the latest effective date not after it, and of
        versions sharing that date the highest."""
        day = day or timezone.localdate()
        return (
            cls.objects.filter(effective_from__lte=day)
            .order_by("-effective_from", "-version")
            .first()
        )

    def tier_for(self, score: int) -> str:
        if score >= self.tier_a_min:
            return CreditTier.A
        if score >= self.tier_b_min:
            return CreditTier.B
        if score >= self.tier_c_min:
            return CreditTier.C
        return CreditTier.D

    def sampling_weight(self, tier: str) -> float:
        return float(getattr(self, f"sampling_weight_{tier.lower()}"))


class EventKindRule(_StaffReadable, models.Model):
    """Per event kind: default weight, whether it is published, how long it counts and is
    published, and when its publication may end early on repair."""

    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.CASCADE, related_name="kind_rules", verbose_name=_("版本")
    )
    kind = models.CharField(_("事件类型"), max_length=30, choices=EventKind.choices)
    weight = models.IntegerField(_("默认分值"), help_text=_("正数加分，负数减分"))
    is_public = models.BooleanField(_("向社会公示"), default=True)
    period_months = models.PositiveSmallIntegerField(
        _("公示/计分期限（月）"),
        help_text=_(
            "自记入之日起计算；期满停止公示、不再计分（市场监督管理行政处罚信息公示规定第十三条）"
        ),
    )
    repair_after_months = models.PositiveSmallIntegerField(
        _("最短公示期限（月）"),
        null=True,
        blank=True,
        help_text=_(
            "期满后可申请信用修复（深圳经济特区社会信用条例第七十九条）；留空表示不得提前停止公示"
        ),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("事件类型规则")
        verbose_name_plural = _("事件类型规则")
        ordering = ["policy", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "kind"], name="credit_kind_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.get_kind_display()} {self.weight:+d}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.repair_after_months is not None and self.repair_after_months > self.period_months:
            raise ValidationError({"repair_after_months": _("最短公示期限不能超过公示期限")})


class ListRule(_StaffReadable, models.Model):
    """Which event kind (or which computed tier) puts a party on which list, for how long at
    least, and after how long it leaves by itself (blank: only by repair or a tier change)."""

    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.CASCADE, related_name="list_rules", verbose_name=_("版本")
    )
    list_kind = models.CharField(_("名单"), max_length=30, choices=ListKind.choices)
    event_kind = models.CharField(
        _("触发事件"), max_length=30, choices=EventKind.choices, blank=True
    )
    tier = models.CharField(_("触发等级"), max_length=1, choices=CreditTier.choices, blank=True)
    min_months = models.PositiveSmallIntegerField(_("最短列入期限（月）"), default=0)
    max_months = models.PositiveSmallIntegerField(
        _("期满自动移出（月）"), null=True, blank=True, help_text=_("留空表示不自动移出")
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单规则")
        verbose_name_plural = _("名单规则")
        ordering = ["policy", "list_kind", "event_kind", "tier"]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(event_kind="") & Q(tier="")) | (Q(event_kind="") & ~Q(tier="")),
                name="credit_list_rule_one_trigger",
            ),
            models.UniqueConstraint(
                fields=["policy", "list_kind", "event_kind", "tier"], name="credit_list_rule_unique"
            ),
        ]

    def __str__(self) -> str:
        trigger = self.get_event_kind_display() if self.event_kind else f"{self.tier}级"
        return f"{self.policy} {trigger} → {self.get_list_kind_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if bool(self.event_kind) == bool(self.tier):
            errors["event_kind"] = _("触发事件与触发等级须且只能填写一项")
        if self.max_months is not None and self.max_months < self.min_months:
            errors["max_months"] = _("自动移出期限不能短于最短列入期限")
        if errors:
            raise ValidationError(errors)


# --- the archive ------------------------------------------------------------------------------


class CreditEvent(_PartyRecord, models.Model):
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="credit_events",
        verbose_name=_("当事人"),
    )
    kind = models.CharField(_("事件类型"), max_length=30, choices=EventKind.choices)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices)
    weight = models.IntegerField(_("分值"))
    occurred_on = models.DateField(_("发生日期"))
    recorded_on = models.DateField(_("记入日期"))
    source_type = models.CharField(_("来源对象类型"), max_length=100, blank=True)
    source_id = models.CharField(_("来源对象ID"), max_length=64, blank=True)
    source_display = models.CharField(_("来源文书/对象"), max_length=200, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_public = models.BooleanField(_("向社会公示"))
    publish_until = models.DateField(_("公示截止日期"))
    repairable_from = models.DateField(
        _("可申请修复日期"), null=True, blank=True, help_text=_("留空表示不得提前停止公示")
    )
    publication_ended_on = models.DateField(_("停止公示日期"), null=True, blank=True)
    publication_end_reason = models.CharField(
        _("停止公示原因"), max_length=20, choices=PublicationEnd.choices, blank=True
    )
    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("政策版本")
    )
    recorded_at = models.DateTimeField(_("记入时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记入人"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用事件")
        verbose_name_plural = _("信用事件")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            # one event of a kind per source object: a redelivered outcome records nothing new
            models.UniqueConstraint(
                fields=["party", "kind", "source_type", "source_id"],
                condition=~Q(source_id=""),
                name="credit_event_unique_source",
            ),
            models.CheckConstraint(
                condition=Q(publish_until__gte=models.F("recorded_on")),
                name="credit_event_period_after_recording",
            ),
        ]
        indexes = [
            models.Index(fields=["party", "publication_ended_on"]),
            models.Index(fields=["publication_ended_on", "publish_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.weight:+d} ({self.occurred_on})"

    def is_active(self, day: dt.date) -> bool:
        """Counts toward the score (and, if public, is published) on ``day``."""
        return self.publication_ended_on is None and self.publish_until >= day

    def is_published(self, day: dt.date) -> bool:
        return self.is_public and self.is_active(day)


class ListEntry(_PartyRecord, models.Model):
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="credit_list_entries",
        verbose_name=_("当事人"),
    )
    list_kind = models.CharField(_("名单"), max_length=30, choices=ListKind.choices)
    trigger = models.CharField(_("列入依据"), max_length=10, choices=ListTrigger.choices)
    reason = models.CharField(_("列入事由"), max_length=300)
    source_event = models.ForeignKey(
        CreditEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="list_entries",
        verbose_name=_("来源事件"),
    )
    policy = models.ForeignKey(
        CreditPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("政策版本"),
    )
    entered_on = models.DateField(_("列入日期"))
    earliest_exit_on = models.DateField(_("最早移出日期"))
    expires_on = models.DateField(_("期满移出日期"), null=True, blank=True)
    exited_on = models.DateField(_("移出日期"), null=True, blank=True)
    exit_reason = models.CharField(
        _("移出原因"), max_length=20, choices=ExitReason.choices, blank=True
    )
    exit_note = models.CharField(_("移出说明"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("名单记录")
        verbose_name_plural = _("名单记录")
        ordering = ["-entered_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "list_kind"],
                condition=Q(exited_on__isnull=True),
                name="credit_list_one_open_entry",
            ),
            models.CheckConstraint(
                condition=Q(earliest_exit_on__gte=models.F("entered_on")),
                name="credit_list_exit_not_before_entry",
            ),
            models.CheckConstraint(
                condition=(Q(exited_on__isnull=True) & Q(exit_reason=""))
                | (Q(exited_on__isnull=False) & ~Q(exit_reason="")),
                name="credit_list_exit_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["list_kind", "exited_on"])]

    def __str__(self) -> str:
        return f"{self.party} {self.get_list_kind_display()} {self.entered_on}"

    @property
    def is_open(self) -> bool:
        return self.exited_on is None


class RepairApplication(_PartyRecord, models.Model):
    """信用修复 (深圳经济特区社会信用条例 art 79–83): the party asks to end an event's publication
    early or to leave a list, after the minimum period; decided within three working days."""

    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="credit_repairs",
        verbose_name=_("当事人"),
    )
    event = models.ForeignKey(
        CreditEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repairs",
        verbose_name=_("修复的信用事件"),
    )
    list_entry = models.ForeignKey(
        ListEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repairs",
        verbose_name=_("申请移出的名单记录"),
    )
    reasons = models.TextField(_("申请理由"))
    evidence = models.TextField(
        _("修复措施与证明材料"), blank=True, help_text=_("深圳经济特区社会信用条例第八十条")
    )
    submitted_on = models.DateField(_("受理日期"))
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请人账号"),
    )
    due_on = models.DateField(_("办理期限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RepairStatus.choices, default=RepairStatus.SUBMITTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("决定人"),
    )
    decided_by_name = models.CharField(_("决定人姓名"), max_length=200, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    opinion = models.TextField(_("处理意见"), blank=True)
    overdue_flagged_on = models.DateField(_("逾期提示日期"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(event__isnull=False) & Q(list_entry__isnull=True))
                | (Q(event__isnull=True) & Q(list_entry__isnull=False)),
                name="credit_repair_one_target",
            ),
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(status=RepairStatus.SUBMITTED),
                name="credit_repair_one_open_per_event",
            ),
            models.UniqueConstraint(
                fields=["list_entry"],
                condition=Q(status=RepairStatus.SUBMITTED),
                name="credit_repair_one_open_per_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} {self.get_status_display()} ({self.submitted_on})"

    def is_overdue(self, day: dt.date | None = None) -> bool:
        if self.status == RepairStatus.SUBMITTED:
            return (day or timezone.localdate()) > self.due_on
        return self.decided_on is not None and self.decided_on > self.due_on


# --- computed standing ------------------------------------------------------------------------


class CreditStanding(_PartyRecord, models.Model):
    """The party's latest computation: score, the tier from the score, the tier after list caps
    (the one written to ``Party.credit_tier``), and the policy version used."""

    party = models.OneToOneField(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="credit_standing",
        verbose_name=_("当事人"),
    )
    score = models.IntegerField(_("信用分"))
    score_tier = models.CharField(_("按分数等级"), max_length=1, choices=CreditTier.choices)
    tier = models.CharField(_("信用等级"), max_length=1, choices=CreditTier.choices)
    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("政策版本")
    )
    computed_on = models.DateField(_("计算日期"))
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用状况")
        verbose_name_plural = _("信用状况")

    def __str__(self) -> str:
        return f"{self.party} {self.tier} ({self.score})"


class TierChange(_PartyRecord, models.Model):
    """Tier history, append-only: each change with the score, the policy version and the events
    and lists that made it, so that a past routing decision stays explainable after the policy
    changes."""

    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        related_name="credit_tier_changes",
        verbose_name=_("当事人"),
    )
    from_tier = models.CharField(_("原等级"), max_length=1, choices=CreditTier.choices)
    to_tier = models.CharField(_("新等级"), max_length=1, choices=CreditTier.choices)
    score = models.IntegerField(_("信用分"))
    policy = models.ForeignKey(
        CreditPolicy, on_delete=models.PROTECT, related_name="+", verbose_name=_("政策版本")
    )
    computed_on = models.DateField(_("计算日期"))
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)
    trigger = models.CharField(_("触发"), max_length=100, blank=True)
    explanation = models.JSONField(_("计算依据"), default=dict)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用等级变更")
        verbose_name_plural = _("信用等级变更")
        ordering = ["-computed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.party} {self.from_tier}→{self.to_tier} ({self.computed_on})"

"""Core records: the journal (archive), the outbox, the holiday table and API clients."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .querysets import RestrictedQuerySet

GENESIS_HASH = "0" * 64


class JournalEntry(models.Model):
    """One state change. Append-only: the database refuses UPDATE and DELETE (see migration
    0002), and each entry carries the hash of the one before it, so that any later edit breaks
    the chain (``shenguan journal verify``). The actor is kept as text so the record outlives
    the user; no foreign key may cascade into it."""

    seq = models.BigIntegerField(_("序号"), unique=True)
    time = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True)
    actor_name = models.CharField(_("操作人"), max_length=200)
    source = models.CharField(_("来源"), max_length=20)
    action = models.CharField(_("动作"), max_length=100, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    before = models.JSONField(_("变更前"), null=True, blank=True)
    after = models.JSONField(_("变更后"), null=True, blank=True)
    request_id = models.CharField(_("请求/命令ID"), max_length=64, blank=True)
    ip = models.CharField(_("IP地址"), max_length=64, blank=True)
    prev_hash = models.CharField(_("前一哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64, unique=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("日志条目")
        verbose_name_plural = _("审计日志")
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    @classmethod
    def restrict_queryset(cls, qs, scope, action):
        """The whole archive is open to the command centre and bureau heads (read only)."""
        from .permissions import Role

        if action == "view" and scope.has_role(Role.COMMAND_CENTRE, Role.BUREAU_HEAD):
            return qs
        return qs.none()


class JournalHead(models.Model):
    """The chain's tip. Appending locks this single row, which orders concurrent writers and
    lets ``verify`` notice entries removed from the end."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("日志链头")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"


class OutboxEvent(models.Model):
    """An event written in the same transaction as the change it reports; delivered by
    ``shenguan worker`` at least once to every consumer and webhook subscription that wants it
    (docs/decisions/0003-outbox.md). ``failed`` means the retries ran out: an administrator
    may resend it from the admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待投递")
        DELIVERED = "delivered", _("已投递")
        FAILED = "failed", _("投递失败")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("频道"), max_length=50, db_index=True)
    type = models.CharField(_("事件类型"), max_length=100, db_index=True)
    subject_type = models.CharField(_("主体类型"), max_length=100, blank=True)
    subject_id = models.CharField(_("主体ID"), max_length=64, blank=True)
    payload = models.JSONField(_("内容"), default=dict)
    created = models.DateTimeField(_("产生时间"), default=timezone.now, db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now)
    delivered_at = models.DateTimeField(_("投递时间"), null=True, blank=True)
    last_error = models.TextField(_("最后错误"), blank=True)

    class Meta:
        verbose_name = _("待发事件")
        verbose_name_plural = _("事件发件箱")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.subject_type}:{self.subject_id}"


class HolidayYear(models.Model):
    """A year's official holiday arrangement loaded by an administrator. Takes precedence over
    the ``chinese-calendar`` package for that year."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    source = models.CharField(_("来源"), max_length=500, blank=True)
    loaded_at = models.DateTimeField(_("载入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)


class HolidayDay(models.Model):
    year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("节日"), max_length=50)
    is_off_day = models.BooleanField(_("休息日"), help_text=_("否表示调休上班日（周末补班）"))

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name} {'休' if self.is_off_day else '班'}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    """A machine client (another department's system). Its token is shown once and stored
    only as a hash; it acts as its service user, so the same permissions apply."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("服务账号"),
    )
    token_prefix = models.CharField(_("令牌前缀"), max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API客户端")
        verbose_name_plural = _("API客户端")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def new_token() -> str:
        return "sg_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The first answer to a create request sent with an ``Idempotency-Key`` header; a retry
    with the same key gets the same answer instead of a second object."""

    key = models.CharField(max_length=200)
    user_id = models.BigIntegerField(null=True, blank=True)
    scope = models.CharField(max_length=200, help_text="method and path of the request")
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(null=True)
    created = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [
            models.UniqueConstraint(fields=["user_id", "scope", "key"], name="idempotency_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class ConsumerReceipt(models.Model):
    """That one consumer has applied one event. Internal consumers write it in the same
    transaction as their effect, and its uniqueness makes a redelivered event a no-op."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="receipts")
    consumer = models.CharField(_("消费者"), max_length=100)
    at = models.DateTimeField(_("处理时间"), default=timezone.now)

    class Meta:
        verbose_name = _("消费回执")
        verbose_name_plural = _("消费回执")
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="receipt_once_per_consumer")
        ]

    def __str__(self) -> str:
        return f"{self.consumer} ← {self.event_id}"


class DeliveryAttempt(models.Model):
    """Every attempt to hand an event to a consumer or a webhook, successful or not."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="attempt_log")
    consumer = models.CharField(_("消费者"), max_length=100)
    number = models.PositiveIntegerField(_("第几次"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    ok = models.BooleanField(_("成功"))
    status_code = models.PositiveSmallIntegerField(_("HTTP状态"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时(ms)"), default=0)
    worker = models.CharField(_("处理进程"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["-at"]
        indexes = [models.Index(fields=["event", "consumer"])]

    def __str__(self) -> str:
        return f"{self.consumer} #{self.number} {'ok' if self.ok else 'failed'}"


class WebhookSubscription(models.Model):
    """Another department's system that wants our events, POSTed as signed JSON."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(
        _("签名密钥"), max_length=200, help_text=_("用于 HMAC-SHA256 签名（X-Shenguan-Signature）")
    )
    event_types = models.JSONField(
        _("订阅事件"),
        default=list,
        blank=True,
        help_text=_('事件类型列表，可用通配符，如 ["approvals.licence.*"]；空表示全部'),
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("Webhook订阅")
        verbose_name_plural = _("Webhook订阅")

    def __str__(self) -> str:
        return self.name

    @property
    def consumer_name(self) -> str:
        return f"webhook:{self.pk}"

    def wants(self, event_type: str) -> bool:
        from fnmatch import fnmatchcase

        return not self.event_types or any(fnmatchcase(event_type, p) for p in self.event_types)


class PeriodicTask(models.Model):
    """When each periodic sweep last ran and next runs; workers claim due rows with a lock so
    that one sweep runs once however many workers there are."""

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField(default=timezone.now)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("周期任务")
        verbose_name_plural = _("周期任务")

    def __str__(self) -> str:
        return self.name


class LoginThrottle(models.Model):
    """Failed logins of one user name from one address (docs/security.md): after
    ``SHENGUAN_LOGIN_MAX_FAILURES`` failures within the window the pair is locked for
    ``SHENGUAN_LOGIN_LOCK_MINUTES``. Kept in the database so every server process sees it."""

    key = models.CharField(_("用户名与地址"), max_length=300, unique=True)
    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    ip = models.CharField(_("地址"), max_length=45, blank=True)
    failures = models.PositiveIntegerField(_("失败次数"), default=0)
    first_failure_at = models.DateTimeField(_("首次失败"), null=True, blank=True)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录限制")
        verbose_name_plural = _("登录限制")

    def __str__(self) -> str:
        return self.key

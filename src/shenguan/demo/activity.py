"""The demo zone's history: ~120 days of activity replayed through the real services.

``simulate(days=120)`` walks the calendar day by day up to yesterday, moving the clock with
``time_machine`` so that every service stamps the simulated date, and acts as the demo staff
would: window clerks take applications on every route and channel (a few with the one-time
notice and resubmission), approval officers review, decide and issue licences, the worker
delivers the outbox events (pushes become verification tasks), squads acknowledge pushes and
inspect (findings signed by two inspectors; a few false commitments end in revocation and the
serious-dishonesty list), enforcement leads become penalty cases that run through
investigation, proposal with the discretion benchmark, notice, legal review, decision, service
and payment. The daily sweeps run as the worker would run them.

Nothing here writes domain rows itself: every change is a service call, so the journal and
the outbox are the genuine record of the replay. The only rows written directly are the login
accounts of simulated online applicants (users are not domain state, as in ``seed.py``).

The history runs before the real "now": run it once, on a fresh demo database. It is skipped
when a simulated application already exists (idempotent). Randomness comes from one seeded
``random.Random``: the same database and the same arguments give the same history.
See docs/decisions/0005-demo-time-travel.md."""

from __future__ import annotations

import datetime as dt
import io
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from shenguan.core import calendar
from shenguan.core.context import acting_as
from shenguan.core.errors import DomainError
from shenguan.core.permissions import forget_scope

log = logging.getLogger(__name__)

CHINA = dt.timezone(dt.timedelta(hours=8))
# Every simulated application carries this in its description (the idempotency marker, and
# the label that says it is generated).
MARK = "【演示模拟】"
SIM_APPLICANT_PREFIX = "demo-applicant-"
PDF = b"%PDF-1.4\n% shenguan demo material\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

Step = Generator[int, None, None]  # a life yields how many working days to wait


@dataclass
class ActivityReport:
    skipped: bool = False
    reason: str = ""
    days: int = 0
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    acts: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


@dataclass
class Item:
    power_id: int
    name: str
    approval_class: str
    essential: list[int]
    optional: list[int]
    names: dict[int, str]


def real_today() -> dt.date:
    """Today in China time from the real clock, even while the clock travels."""
    return real_now().date()


def real_now() -> dt.datetime:
    """The real time in China, even while the clock travels."""
    if time_machine.escape_hatch.is_travelling():
        real = time_machine.escape_hatch.time.time()
    else:
        real = time.time()
    return dt.datetime.fromtimestamp(real, tz=CHINA)


def history_start(days: int, end: dt.date | None = None) -> dt.date:
    return (end or real_today()) - dt.timedelta(days=days)


@contextmanager
def before_history(days: int, end: dt.date | None = None) -> Iterator[None]:
    """Run the seed on the day before the simulated history starts (the catalogue versions
    and the parties must already exist on its first day)."""
    day = history_start(days, end) - dt.timedelta(days=1)
    with time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 8, 0, tzinfo=CHINA), tick=True
    ):
        yield


def already_simulated() -> bool:
    from shenguan.approvals.models import Application

    return Application.objects.filter(description__startswith=MARK).exists()


def _png() -> bytes:
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency of reportlab
        return PDF
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (120, 140, 160)).save(buf, format="PNG")
    return buf.getvalue()


class NotReady(Exception):
    """The demo zone lacks what the history needs (nothing was simulated)."""


class Simulator:
    def __init__(
        self,
        *,
        days: int,
        seed: int,
        per_day: tuple[int, int],
        cases: int,
        end: dt.date,
        online_accounts: int,
    ):
        self.rng = random.Random(seed)
        self.end = end  # the first day NOT simulated (today)
        self.start = end - dt.timedelta(days=days)
        self.days = days
        self.per_day = per_day
        self.case_target = cases
        self.online_accounts = online_accounts
        self.report = ActivityReport(days=days)
        self.agenda: dict[dt.date, list[Step]] = defaultdict(list)
        self.day: dt.date = self.start
        self.minute = 0
        self.traveller = None
        self.seen_push = 0
        self.seen_task = 0
        self.seen_lead = 0
        self.drawn_month = 0
        self.serial = 0
        self.worker = None
        # the seed's own events (catalogue, parties) are left to the real worker
        self.since = dt.datetime(self.start.year, self.start.month, self.start.day, tzinfo=CHINA)
        self.want_types: set[str] = set()
        self.skip_types: set[str] = set()

    # --- the cast ---------------------------------------------------------------------------
    def policies(self) -> None:
        """The policies the services read (data migrations write version 1 of each): the
        enforcement seed is put back if a flush removed it, the others must be there."""
        from shenguan.approvals.models import RoutePolicy
        from shenguan.enforcement.common.policy import policy_in_force
        from shenguan.enforcement.discretion.models import BenchmarkTable

        try:
            policy_in_force(self.start)
        except DomainError:
            from shenguan.enforcement.factories import ensure_seed

            ensure_seed()
        if RoutePolicy.in_force(self.start) is None:
            raise NotReady(f"no approval route policy is in force on {self.start}")
        if not BenchmarkTable.objects.exists():
            raise NotReady("the discretion benchmark table is not loaded (run shenguan demo)")
        # verification.policy_in_force stores its defaults itself when none exists

    def cast(self) -> None:
        from shenguan.approvals.models import ItemTemplate  # noqa: F401 (app loaded)
        from shenguan.catalog.models import Power
        from shenguan.org.models import Grid
        from shenguan.parties.models import Party

        User = get_user_model()
        users = {u.username: u for u in User.objects.all()}
        self.users = users
        self.clerks = [users[n] for n in ("clerk1", "clerk2") if n in users]
        self.head = users.get("head1")
        self.ehead = users.get("ehead1")
        self.legal = [users[n] for n in ("legal1", "legal2") if n in users]
        self.command = users.get("command1")
        if not (self.clerks and self.head and self.ehead and self.legal):
            raise NotReady("the demo organisation is missing (run shenguan demo)")
        self.grid_workers = {
            g.pk: g.worker.user
            for g in Grid.objects.select_related("worker__user").filter(worker__isnull=False)
        }
        # squads → their certified officers (users)
        from shenguan.org.models import Staff

        self.squad_users: dict[int, list] = defaultdict(list)
        for st in (
            Staff.objects.select_related("user")
            .exclude(enforcement_cert_no="")
            .filter(user__isnull=False, section__kind="squad")
            .order_by("employee_no")
        ):
            self.squad_users[st.section_id].append(st.user)
        # approval items with a responsible post and generated materials
        items = []
        powers = (
            Power.objects.filter(
                department__kind="approval_bureau", responsibility__post__isnull=False
            )
            .prefetch_related("versions__materials")
            .order_by("code")
        )
        for power in powers:
            # the version in force from the first simulated day on (Power.version_at in memory)
            live = [
                v
                for v in power.versions.all()
                if v.effective_from <= self.start and v.effective_to is None
            ]
            v = max(live, key=lambda v: v.version) if live else None
            if v is None or not v.approval_class:
                continue
            mats = sorted(v.materials.all(), key=lambda m: m.seq)
            ess = [m.pk for m in mats if not m.deferrable]
            opt = [m.pk for m in mats if m.deferrable]
            if not mats:
                continue
            items.append(
                Item(power.pk, v.name, v.approval_class, ess, opt, {m.pk: m.name for m in mats})
            )
        if not items:
            raise NotReady(
                f"no approval item version is in force on {self.start}: the history must start "
                "after the catalogue took effect (run shenguan demo on a fresh database, which "
                "builds the zone on the day before its history)"
            )
        self.items = items
        self.parties = list(
            Party.objects.filter(is_generated=True, grid__isnull=False).order_by("pk")
        )
        if not self.parties:
            raise NotReady("the demo parties are missing (run shenguan demo)")
        self.enterprises = [p for p in self.parties if p.kind == "enterprise"]
        self.accounts: dict[int, object] = {}
        self._online_accounts()
        self._benchmarks()

    def _online_accounts(self) -> None:
        """Online applicants: applicant1/2 and a login (unusable password: these applicants
        never sign in) for a share of the enterprises, linked through the parties service."""
        from shenguan.parties import services as party_services
        from shenguan.parties.models import PartyAccount

        for acc in PartyAccount.objects.select_related("user").filter(
            party__in=self.parties, user__is_active=True
        ):
            self.accounts.setdefault(acc.party_id, acc.user)
        User = get_user_model()
        pool = self.enterprises[: self.online_accounts]
        for n, party in enumerate(pool, start=1):
            if party.pk in self.accounts:
                continue
            username = f"{SIM_APPLICANT_PREFIX}{n:03d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username=username, password=None, first_name=party.legal_representative
                )
                from django.contrib.auth.models import Group

                user.groups.add(Group.objects.get_or_create(name="applicant")[0])
            with transaction.atomic():
                party_services.link_account(user.pk, party.pk, "owner")
            forget_scope(user)
            self.accounts[party.pk] = user

    def _benchmarks(self) -> None:
        """Fine-band benchmarks of the imported Guangdong table that give a yuan range, each
        with the penalty power that carries its code."""
        from shenguan.catalog.models import PowerVersion
        from shenguan.enforcement.discretion.calculator import calculate
        from shenguan.enforcement.discretion.models import Benchmark, BenchmarkRow

        powers = {}
        for v in (
            PowerVersion.objects.select_related("power")
            .filter(
                power__kind="penalty", power__code__startswith="GDEE-", effective_to__isnull=True
            )
            .order_by("power__code")
        ):
            code = (v.extra or {}).get("discretion_code")
            if code:
                powers.setdefault(code, v.power)
        self.penalties = []
        benches = list(
            Benchmark.objects.filter(model="fine_band", code__in=list(powers)).order_by("pk")
        )
        self.rng.shuffle(benches)
        for bench in benches:
            if not bench.table.in_force_on(self.start):
                continue
            for pos in BenchmarkRow.objects.filter(benchmark=bench).values_list(
                "position", flat=True
            ):
                try:
                    calc = calculate(bench, positions=[pos])
                except DomainError:
                    continue
                r = calc.range
                if r is None or r.min_amount is None or r.max_amount is None or calc.no_penalty:
                    continue
                if r.max_amount > Decimal("200000") or r.min_amount <= 0:
                    continue
                self.penalties.append((bench, pos, r.min_amount, r.max_amount, powers[bench.code]))
                break
            if len(self.penalties) >= 24:
                break

    # --- the clock --------------------------------------------------------------------------
    def at(self, hour: int, minute: int = 0) -> None:
        """Move the clock to ``hour:minute`` (China time) of the simulated day."""
        if self.traveller is not None:
            self.traveller.stop()
        moment = dt.datetime(
            self.day.year, self.day.month, self.day.day, hour, minute, tzinfo=CHINA
        )
        self.traveller = time_machine.travel(moment, tick=True)
        self.traveller.start()

    def tick(self) -> None:
        """The next act of the day, a few minutes after the last (08:30 → 17:30)."""
        self.minute = min(self.minute + self.rng.randint(2, 9), 9 * 60)
        total = 8 * 60 + 30 + self.minute
        self.at(total // 60, total % 60)

    def stop(self) -> None:
        if self.traveller is not None:
            self.traveller.stop()
            self.traveller = None

    # --- scheduling -------------------------------------------------------------------------
    def spawn(self, life: Step, wait: int = 0) -> None:
        self.agenda[self._after(wait)].append(life)

    def _after(self, wait: int) -> dt.date:
        if wait <= 0:
            return self.day
        return calendar.add_working_days(self.day, wait)

    def act(self, who, label: str, fn: Callable, /, *args, **kwargs):
        self.tick()
        self.serial += 1
        with acting_as(
            who,
            source="command",
            request_id=f"demo-{self.day:%Y%m%d}-{self.serial:05d}",
        ):
            result = fn(*args, **kwargs)
        self.report.acts[label] += 1
        return result

    def run_lives(self) -> None:
        while self.agenda.get(self.day):
            life = self.agenda[self.day].pop(0)
            try:
                wait = next(life)
            except StopIteration:
                continue
            except DomainError as exc:
                self.report.errors.append(f"{self.day} {type(exc).__name__}: {exc.message}")
                continue
            self.spawn(life, wait)
        self.agenda.pop(self.day, None)

    # --- the day ----------------------------------------------------------------------------
    def run(self) -> ActivityReport:
        started = time.monotonic()
        # the daily sweeps log a line each; the report counts what they did
        sweep_log = logging.getLogger("shenguan.approvals.sweeping")
        level = sweep_log.level
        sweep_log.setLevel(logging.WARNING)
        try:
            return self._run(started)
        finally:
            sweep_log.setLevel(level)

    def _run(self, started: float) -> ActivityReport:
        self.policies()
        self.cast()
        window = range(2, max(2, min(self.days - 3, self.last_case_day() + 1)))
        case_days = sorted(self.rng.sample(window, min(self.case_target, len(window))))
        try:
            for offset in range(self.days):
                self.day = self.start + dt.timedelta(days=offset)
                self.minute = 0
                working = calendar.is_working_day(self.day)
                if working:
                    self.verification_morning()
                    for _ in range(self.rng.randint(*self.per_day)):
                        self.spawn(self.application_life(channel=None))
                    for _ in range(case_days.count(offset)):
                        self.spawn(self.case_life(self.new_lead()))
                elif self.accounts and self.rng.random() < 0.4:
                    self.spawn(self.application_life(channel="online"))
                self.run_lives()
                self.evening()
            # what the worker delivers next, at the real time
            now = real_now()
            self.day = now.date()
            self.at(now.hour, now.minute)
            self.deliver()
        finally:
            self.stop()
        self.report.seconds = time.monotonic() - started
        self.report.counts = counts()
        return self.report

    def last_case_day(self) -> int:
        """The last offset on which a case can be opened: its 90-day decision deadline must
        fall in a year whose holidays are known (the calendar refuses to guess)."""
        last = -1
        for offset in range(self.days):
            if not self.can_open(self.start + dt.timedelta(days=offset)):
                break
            last = offset
        return last

    @staticmethod
    def can_open(day: dt.date) -> bool:
        from shenguan.enforcement.cases import deadlines

        try:
            deadlines.decision_due(day)
        except (DomainError, calendar.UnknownYear):
            return False
        return True

    def evening(self) -> None:
        self.at(18, 0)
        self.deliver()
        self.at(23, 30)
        self.sweeps()
        self.deliver()

    def deliver(self) -> None:
        """What the worker delivers to the apps' consumers (pushes, tasks, credit, leads), in
        order. Events no internal consumer wants stay pending for the real worker (webhook
        subscribers get them from it)."""
        from shenguan.core.consumers import CONSUMERS
        from shenguan.core.models import OutboxEvent

        if self.worker is None:
            from shenguan.core.worker import Worker

            self.worker = Worker(name="demo-simulator")
        while True:
            rows = list(
                OutboxEvent.objects.filter(
                    status=OutboxEvent.Status.PENDING,
                    next_attempt_at__lte=timezone.now(),
                    created__gte=self.since,
                )
                .exclude(type__in=self.skip_types)
                .order_by("created")
                .values_list("pk", "type")[:500]
            )
            if not rows:
                return
            for pk, kind in rows:
                if kind in self.skip_types:
                    continue
                if kind not in self.want_types:
                    if any(c.wants(kind) for c in CONSUMERS.values()):
                        self.want_types.add(kind)
                    else:
                        self.skip_types.add(kind)
                        continue
                self.worker.process(pk)
                self.report.acts["events delivered"] += 1

    def sweeps(self) -> None:
        from shenguan.approvals import clocks
        from shenguan.verification import services as verification

        with acting_as(source="worker", name="worker:approvals.sweep"):
            clocks.sweep(self.day)
        with acting_as(source="worker", name="worker:verification.sweep"):
            verification.sweep(self.day)

    # --- applications -----------------------------------------------------------------------
    def application_life(self, channel: str | None) -> Step:
        from shenguan.approvals import services as A
        from shenguan.approvals.services._base import acting_staff

        rng = self.rng
        item = rng.choice(self.items)
        if channel is None:
            channel = rng.choices(["window", "online", "agent"], [45, 35, 20])[0]
        party = None
        if channel == "online":
            if not self.accounts:
                channel = "window"
            else:
                party_id = rng.choice(sorted(self.accounts))
                party = next(p for p in self.parties if p.pk == party_id)
        if party is None:
            party = rng.choice(self.parties)
        route = rng.choices(["ordinary", "tolerance", "commitment"], [55, 20, 25])[0]
        fate = rng.choices(
            ["normal", "deficient", "refuse", "withdraw", "stall", "suspend", "extend"],
            [74, 10, 4, 3, 4, 3, 2],
        )[0]
        clerk = rng.choice(self.clerks)
        filer = self.accounts[party.pk] if channel == "online" else clerk
        signer = party.legal_representative or party.name
        app = self.act(
            filer,
            "application created",
            A.create_application,
            power_id=item.power_id,
            applicant_id=party.pk,
            channel=channel,
            description=f"{MARK}{party.name}申请{item.name}"[:500],
            user=filer,
        )
        if route != "ordinary":
            options = {o["route"]: o for o in A.route_options(app)}
            if options.get(route, {}).get("allowed") and item.optional:
                self.act(filer, "route chosen", A.choose_route, app.pk, route, user=filer)
            else:
                route = "ordinary"
        deferred = [item.optional[-1]] if route in ("tolerance", "commitment") else []
        if route == "commitment" and rng.random() < 0.5:
            deferred = []
        missing = []
        if route == "ordinary" and fate == "deficient":
            pool = item.optional or item.essential
            missing = [rng.choice(pool)]
        for mid in item.essential + item.optional:
            if mid in deferred or mid in missing:
                continue
            self._provide(app.pk, mid, item, filer, channel, clerk)
        cure_on = None
        if deferred:
            cure_on = calendar.add_working_days(self.day, 3)
            rows = [{"material_id": m, "due_on": cure_on} for m in deferred]
            if route == "tolerance":
                self.act(
                    filer,
                    "tolerance signed",
                    A.sign_tolerance,
                    app.pk,
                    signer_name=signer,
                    deferrals=rows,
                    user=filer,
                )
        if route == "commitment":
            self.act(
                filer,
                "commitment signed",
                A.sign_commitment,
                app.pk,
                signer_name=signer,
                deferrals=[{"material_id": m, "due_on": cure_on} for m in deferred],
                user=filer,
            )
        self.act(filer, "application submitted", A.submit, app.pk, user=filer)
        if channel == "online":
            yield rng.randint(0, 1)  # the window checks online filings the same or next day
        if missing:
            self.act(clerk, "one-time notice", A.notify_deficiency, app.pk, user=clerk)
            yield rng.randint(1, 4)
            if rng.random() < 0.15:
                self.act(
                    filer,
                    "withdrawn",
                    A.withdraw,
                    app.pk,
                    reason="申请人决定暂不办理",
                    user=filer,
                )
                return
            for mid in missing:
                self._provide(app.pk, mid, item, filer, channel, clerk)
            self.act(filer, "resubmitted", A.resubmit, app.pk, user=filer)
            if channel == "online":
                yield rng.randint(0, 1)
        app = self.act(clerk, "accepted", A.accept, app.pk, user=clerk)
        if deferred and rng.random() < 0.85:  # most keep the cure date; the sweep catches the rest
            self.spawn(
                self.supplement_life(app.pk, deferred, filer, channel, clerk),
                rng.randint(1, max(1, calendar.working_days_between(self.day, cure_on))),
            )
        staff = acting_staff(app)
        officer = staff.user
        if route == "commitment":
            self.act(officer, "approved on the spot", A.approve, app.pk, user=officer)
            return
        if fate == "stall":
            return  # left untouched: it runs past its promised limit
        yield rng.randint(0, 2)
        if self._closed(app):
            return
        officer = acting_staff(app).user
        self.act(officer, "review started", A.start_review, app.pk, user=officer)
        if fate == "withdraw":
            yield rng.randint(1, 3)
            if self._closed(app):
                return
            self.act(filer, "withdrawn", A.withdraw, app.pk, reason="申请人主动撤回", user=filer)
            return
        if fate == "suspend":
            yield rng.randint(0, 2)
            self.act(
                officer,
                "suspended",
                A.suspend,
                app.pk,
                kind="testing",
                reason="样品送检，检验检测时间不计入审批期限",
                expected_working_days=5,
                user=officer,
            )
            yield rng.randint(3, 6)
            if self._closed(app):
                return  # the sweep ended it meanwhile (a missed cure date)
            self.act(officer, "resumed", A.resume, app.pk, user=officer)
        if fate == "extend":
            yield rng.randint(1, 3)
            if self._closed(app):
                return
            self.act(
                self.head,
                "extended",
                A.extend,
                app.pk,
                reason="需组织现场核查，经局领导批准延长十个工作日",
                user=self.head,
            )
        if self._closed(app):
            return
        left = calendar.working_days_between(self.day, app.promised_due_on)
        yield rng.randint(0, max(0, left - 1)) if rng.random() < 0.9 else left + rng.randint(1, 3)
        if self._closed(app):
            return
        officer = acting_staff(app).user
        if app.strict_review:
            second = self._second_officer(app, officer)
            self.act(
                second,
                "second review",
                A.record_review,
                app.pk,
                conclusion="approve",
                opinion="经审查，同意准予许可",
                user=second,
            )
        if fate == "refuse":
            self.act(
                officer,
                "refused",
                A.refuse,
                app.pk,
                reasons="经审查，申请人的经营场所不符合法定条件",
                user=officer,
            )
            return
        issue_now = route == "tolerance" or rng.random() < 0.3
        self.act(officer, "approved", A.approve, app.pk, issue_now=issue_now, user=officer)
        if not issue_now:
            yield rng.randint(0, 2)
            if self._closed(app):
                return
            self.act(officer, "licence issued", A.issue_licence, app.pk, user=officer)

    @staticmethod
    def _closed(app) -> bool:
        """Refreshed; True once the application is over (the sweep may have ended it)."""
        from shenguan.approvals.workflow import FINAL_STATES

        app.refresh_from_db()
        return app.status in FINAL_STATES

    def _provide(self, app_id, material_id, item, filer, channel, clerk) -> None:
        from shenguan.approvals import services as A

        if channel == "online":
            self.act(
                filer,
                "material uploaded",
                A.upload_material,
                app_id,
                material_id,
                content=PDF,
                filename=f"{item.names[material_id][:40]}.pdf",
                user=filer,
            )
        else:
            self.act(
                clerk,
                "material checked",
                A.set_material_state,
                app_id,
                material_id,
                state="provided",
                user=clerk,
            )

    def _second_officer(self, app, officer):
        from shenguan.catalog.models import Responsibility

        resp = Responsibility.objects.select_related("post__holder__user", "post__backup__user")
        post = resp.get(power_id=app.power_id).post
        for st in (post.backup, post.holder):
            if st is not None and st.user_id and st.user_id != officer.pk:
                return st.user
        return self.head

    def supplement_life(self, app_id, materials, filer, channel, clerk) -> Step:
        from shenguan.approvals import services as A
        from shenguan.approvals.models import Application

        app = Application.objects.get(pk=app_id)
        if self._closed(app):
            return  # refused or withdrawn meanwhile: nothing more is taken
        who = filer if channel == "online" else clerk
        for mid in materials:
            self.act(
                who,
                "deferred material supplied",
                A.supplement,
                app_id,
                mid,
                content=PDF,
                filename="补交材料.pdf",
                user=who,
            )
        yield 0

    # --- verification -----------------------------------------------------------------------
    def verification_morning(self) -> None:
        """New pushes and tasks since yesterday get their plan; leads from findings become
        cases."""
        from shenguan.enforcement.cases.models import CaseLead
        from shenguan.verification.models import Push, VerificationTask

        self.at(8, 30)
        for push in Push.objects.filter(pk__gt=self.seen_push).order_by("pk"):
            self.seen_push = push.pk
            if push.squad_id is None or push.acknowledged_at is not None:
                continue
            roll = self.rng.random()
            if roll < 0.04:
                continue  # never signed for: the sweep flags it overdue
            wait = self.rng.randint(0, 1) if roll < 0.88 else self.rng.randint(3, 5)
            self.spawn(self.ack_life(push.pk, push.squad_id), wait)
        for task in VerificationTask.objects.filter(pk__gt=self.seen_task).order_by("pk"):
            self.seen_task = task.pk
            if task.origin == "drawn":  # the drawn inspectors, not the squad, inspect
                officers = [
                    ti.staff.user
                    for ti in task.inspectors.select_related("staff__user").filter(drawn=True)
                    if ti.staff.user_id
                ]
            else:
                officers = self.squad_users.get(task.squad_id) or []
            if len(officers) < 2 or self.rng.random() < 0.15:
                continue  # not reached yet
            self.spawn(self.task_life(task.pk, officers, task.route), self.rng.randint(1, 8))
        if self.day.day <= 7 and self.day.month != self.drawn_month and self.day > self.start:
            self.drawn_month = self.day.month
            self.draw()
        for lead in CaseLead.objects.filter(pk__gt=self.seen_lead, source="verification"):
            self.seen_lead = max(self.seen_lead, lead.pk)
            if lead.status == "received" and lead.squad_id:
                self.spawn(self.case_life(lead), self.rng.randint(1, 3))

    def ack_life(self, push_id: int, squad_id: int) -> Step:
        from shenguan.verification import services as V

        officers = self.squad_users.get(squad_id) or []
        if officers:
            who = self.rng.choice(officers)
            self.act(who, "push acknowledged", V.acknowledge_push, push_id, user=who)
        yield 0

    def draw(self) -> None:
        """The month's double-random draw from the sampling directory (by the bureau head,
        with a recorded seed so that it can be replayed)."""
        from shenguan.verification import services as V
        from shenguan.verification.models import PoolEntry

        waiting = PoolEntry.objects.filter(status="waiting", licence__status="valid").count()
        size = min(6, waiting // 3)
        if size < 1:
            return
        self.act(
            self.ehead,
            "double-random draw",
            V.make_draw,
            size=size,
            seed=f"demo-{self.day:%Y%m}-draw",
            note=f"{self.day:%Y年%m月}批后双随机抽查",
            user=self.ehead,
        )

    def task_life(self, task_id: int, officers: list, route: str) -> Step:
        from shenguan.verification import services as V
        from shenguan.verification.models import VerificationTask

        first, second = self.rng.sample(officers, 2)
        roll = self.rng.random()
        committed = route in ("tolerance", "commitment")
        if committed and roll < 0.07:
            outcome = "falsified"
        elif roll < 0.16:
            outcome = "non_compliant"
        else:
            outcome = "compliant"
        facts = {
            "compliant": "现场核查：经营场所、设施设备与承诺及许可条件一致",
            "non_compliant": "现场核查：部分设施设备与许可条件不符，卫生管理制度未上墙",
            "falsified": "现场核查：承诺的经营场所实际不存在，承诺内容与事实不符",
        }[outcome]
        task = VerificationTask.objects.get(pk=task_id)
        if task.status not in ("open", "rectifying"):
            return
        self._finding(task_id, outcome, facts, first, second)
        if outcome == "non_compliant":
            yield self.rng.randint(6, 12)  # after the rectification period
            again = "compliant" if self.rng.random() < 0.8 else "non_compliant"
            text = (
                "复查：已按整改要求完成整改"
                if again == "compliant"
                else "复查：逾期仍未整改到位，不符合许可条件"
            )
            self._finding(task_id, again, text, first, second)
            if again == "compliant":
                return
        if outcome in ("falsified", "non_compliant"):
            yield self.rng.randint(1, 4)
            self.act(
                self.head,
                "licence revoked",
                V.revoke_licence,
                task_id,
                reason="",
                user=self.head,
            )

    def _finding(self, task_id, outcome, facts, first, second) -> None:
        from shenguan.verification import services as V

        kwargs = {}
        if outcome == "non_compliant":
            kwargs["requirements"] = "限期十个工作日内完成整改，并提交整改报告"
        finding = self.act(
            first,
            f"finding {outcome}",
            V.record_finding,
            task_id,
            outcome=outcome,
            facts=facts,
            co_inspector_id=second.staff.pk,
            user=first,
            **kwargs,
        )
        self.act(second, "finding signed", V.sign_finding, finding.pk, user=second)

    # --- enforcement ------------------------------------------------------------------------
    def new_lead(self):
        from shenguan.enforcement.cases import services as E

        party = self.rng.choice(self.enterprises or self.parties)
        source = self.rng.choice(["complaint", "grid_report", "inspection"])
        who = {
            "complaint": self.command,
            "grid_report": self.grid_workers.get(party.grid_id),
            "inspection": (self.squad_users.get(party.grid.squad_id) or [None])[0],
        }[source] or self.ehead
        text = {
            "complaint": "群众投诉：企业夜间排放刺鼻废气",
            "grid_report": "网格员巡查发现：厂区雨水排口有污水外排",
            "inspection": "日常检查发现：污染防治设施未正常运行",
        }[source]
        return self.act(
            who,
            "lead received",
            E.receive_lead,
            source,
            description=f"{MARK}{text}",
            party_id=party.pk,
            user=who,
        )

    def case_life(self, lead) -> Step:
        from shenguan.enforcement.cases import services as E
        from shenguan.enforcement.cases.models import PenaltyCase
        from shenguan.enforcement.legal import services as L

        rng = self.rng
        officers = self.squad_users.get(lead.squad_id) or []
        if len(officers) < 2 or not self.penalties:
            return
        yield rng.randint(1, 4)
        if not self.can_open(self.day):
            return  # the lead waits: its decision deadline would fall in an unknown year
        if rng.random() < 0.1:
            o1 = officers[0]
            self.act(
                o1,
                "lead dismissed",
                E.dismiss_lead,
                lead.pk,
                reason="经核查，举报情况不属实",
                user=o1,
            )
            return
        o1, o2 = rng.sample(officers, 2)
        pair = [o1.staff.pk, o2.staff.pk]
        # some cases wait at a stage (still open at "today"); the rest run to the end
        halt = rng.choices(
            [None, "investigating", "proposed", "notified", "decided", "served"],
            [50, 12, 10, 10, 8, 10],
        )[0]
        bench, pos, lo, hi, power = rng.choice(self.penalties)
        case = self.act(
            o1,
            "case opened",
            E.open_case,
            lead.pk,
            power_id=power.pk,
            title=bench.violation[:120],
            officer_ids=pair,
            user=o1,
        )
        self.act(
            o1, "investigation started", E.start_investigation, case.pk, officer_ids=pair, user=o1
        )
        if halt == "investigating":
            return
        yield rng.randint(2, 5)
        self.act(
            o1,
            "evidence added",
            E.add_evidence,
            case.pk,
            content=_png(),
            filename="现场照片.png",
            place=f"{lead.party.name}厂区" if lead.party_id else "现场",
            officer_ids=pair,
            user=o1,
        )
        yield rng.randint(3, 8)
        step = Decimal(100) if hi - lo >= 1000 else Decimal(1)
        fine = lo + ((hi - lo) * Decimal(rng.randint(0, 10)) / 10 / step).quantize(1) * step
        fine = min(max(fine, lo), hi)
        self.act(
            o1,
            "penalty proposed",
            E.propose,
            case.pk,
            facts=f"经调查，当事人存在{bench.violation[:200]}的违法行为",
            violated_provision=bench.violated_provision[:500] or "见裁量基准",
            penalty_basis=bench.penalty_basis[:500],
            sanctions=["fine"],
            fine_amount=str(fine),
            benchmark_id=bench.pk,
            discretion_inputs={"positions": [pos]},
            user=o1,
        )
        if halt == "proposed":
            return
        yield rng.randint(1, 2)
        case = self.act(o1, "party notified", E.notify, case.pk, officer_ids=pair, user=o1)
        if halt == "notified":
            return
        if rng.random() < 0.4:
            yield rng.randint(0, 1)
            self.act(
                o1,
                "rights waived",
                E.waive_rights,
                case.pk,
                note="当事人书面声明放弃陈述、申辩和听证权利",
                user=o1,
            )
        else:
            last = max(d for d in (case.statement_due_on, case.hearing_request_due_on) if d)
            yield calendar.working_days_between(self.day, last) + 1
        case = PenaltyCase.objects.get(pk=case.pk)
        if case.review_required:
            self.act(
                o1,
                "submitted for legal review",
                E.submit_for_review,
                case.pk,
                note="请审核",
                user=o1,
            )
            yield rng.randint(1, 3)
            reviewer = rng.choice(self.legal)
            self.act(
                reviewer, "legal opinion", L.give_opinion, case.pk, opinion="approve", user=reviewer
            )
            yield rng.randint(0, 2)
        self.act(self.ehead, "case decided", E.decide, case.pk, user=self.ehead)
        if halt == "decided":
            return
        yield rng.randint(0, 3)
        case = self.act(
            o1, "decision served", E.serve, case.pk, method="in_person", officer_ids=pair, user=o1
        )
        if case.status == "closed" or halt == "served":
            return
        if rng.random() < 0.7:
            yield rng.randint(2, 10)
            principal, fee = E.amount_owed(case)
            self.act(
                o1, "fine paid", E.record_payment, case.pk, amount=str(principal + fee), user=o1
            )
            return
        case = PenaltyCase.objects.get(pk=case.pk)
        yield calendar.working_days_between(self.day, case.payment_due_on) + rng.randint(1, 3)
        self.act(o1, "payment demanded", E.demand_payment, case.pk, user=o1)


def counts() -> dict[str, int]:
    from django.db.models import Count

    from shenguan.approvals.models import Application, Licence
    from shenguan.core.models import JournalEntry, OutboxEvent
    from shenguan.credit.models import CreditEvent
    from shenguan.enforcement.cases.models import CaseLead, PenaltyCase
    from shenguan.verification.models import Finding, Push, VerificationTask

    out = {"applications": Application.objects.count()}
    for row in Application.objects.values("status").annotate(n=Count("pk")).order_by("status"):
        out[f"  application {row['status']}"] = row["n"]
    for row in Application.objects.values("route").annotate(n=Count("pk")).order_by("route"):
        out[f"  route {row['route']}"] = row["n"]
    for row in Application.objects.values("channel").annotate(n=Count("pk")).order_by("channel"):
        out[f"  channel {row['channel']}"] = row["n"]
    out["licences"] = Licence.objects.count()
    out["  licences revoked"] = Licence.objects.filter(status="revoked").count()
    out["pushes"] = Push.objects.count()
    out["  pushes acknowledged"] = Push.objects.filter(acknowledged_at__isnull=False).count()
    out["verification tasks"] = VerificationTask.objects.count()
    for row in VerificationTask.objects.values("status").annotate(n=Count("pk")).order_by("status"):
        out[f"  task {row['status']}"] = row["n"]
    out["findings"] = Finding.objects.count()
    out["enforcement leads"] = CaseLead.objects.count()
    out["penalty cases"] = PenaltyCase.objects.count()
    for row in PenaltyCase.objects.values("status").annotate(n=Count("pk")).order_by("status"):
        out[f"  case {row['status']}"] = row["n"]
    out["credit events"] = CreditEvent.objects.count()
    out["journal entries"] = JournalEntry.objects.count()
    out["outbox events"] = OutboxEvent.objects.count()
    return out


def simulate(
    days: int = 120,
    *,
    seed: int = 2026,
    per_day: tuple[int, int] = (2, 5),
    cases: int = 22,
    online_accounts: int = 24,
    end: dt.date | None = None,
) -> ActivityReport:
    """Replay ``days`` calendar days of activity ending yesterday (``end`` is the first day
    not simulated, today by default). Skipped if a simulated application exists."""
    if days <= 0:
        return ActivityReport(skipped=True, reason="no days asked for", counts=counts())
    if already_simulated():
        return ActivityReport(
            skipped=True, reason="simulated activity already exists", counts=counts()
        )
    sim = Simulator(
        days=days,
        seed=seed,
        per_day=per_day,
        cases=cases,
        end=end or real_today(),
        online_accounts=online_accounts,
    )
    try:
        return sim.run()
    except NotReady as exc:
        return ActivityReport(skipped=True, reason=str(exc), counts=counts())

"""Synthetic volume for the command centre's tests and benchmark: applications spread over the
last year and a bit, with pushes, licences, verification tasks, findings and penalty cases in
proportion. Rows are written with ``bulk_create`` in batches — this is load for measuring the
read side, not a history any service produced (the demo seeder is where realistic records come
from). Deadlines here are plain calendar offsets: no figure recomputes them, they only need to
sit before or after the decision date.

``seed(n, rng=random.Random(…), today=…)`` returns a ``Sample`` with the reference rows it
made, so that a test can compute its expected figures independently."""

from __future__ import annotations

import datetime as dt
import random
import uuid
import zlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shenguan.approvals.choices import Channel, Route, Status
from shenguan.approvals.factories import PowerFactory, PowerVersionFactory, ensure_route_policy
from shenguan.approvals.models import Application, Licence
from shenguan.catalog.choices import PowerKind
from shenguan.enforcement.cases.choices import CaseProcedure, CaseStatus
from shenguan.enforcement.cases.choices import DecisionOutcome as CaseOutcome
from shenguan.enforcement.cases.models import PenaltyCase
from shenguan.org.choices import DepartmentKind, GridKind
from shenguan.org.factories import DepartmentFactory, SectionFactory, StaffFactory
from shenguan.org.models import Grid
from shenguan.parties.choices import PartyKind
from shenguan.parties.factories import generated_uscc
from shenguan.parties.models import Party
from shenguan.verification.choices import (
    FindingOutcome,
    FindingStatus,
    Method,
    PushKind,
    TaskOrigin,
    TaskResult,
    TaskStatus,
)
from shenguan.verification.models import Finding, Push, VerificationPolicy, VerificationTask

ROUTES = [Route.ORDINARY] * 6 + [Route.TOLERANCE] * 2 + [Route.COMMITMENT] * 2
TIERS = ["A"] * 3 + ["B"] * 5 + ["C"] + ["D"]
OPEN_CASE = [
    CaseStatus.OPENED,
    CaseStatus.INVESTIGATING,
    CaseStatus.PROPOSED,
    CaseStatus.NOTIFIED,
    CaseStatus.LEGAL_REVIEW,
]
DECIDED_CASE = [CaseStatus.DECIDED, CaseStatus.SERVED, CaseStatus.DEMANDED, CaseStatus.CLOSED]


@dataclass
class Sample:
    departments: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    versions: list = field(default_factory=list)
    squad: object = None
    applications: int = 0
    pushes: int = 0
    tasks: int = 0
    findings: int = 0
    cases: int = 0
    alerts: int = 0


def _policy_v():
    policy = VerificationPolicy.objects.order_by("version").first()
    if policy is None:
        policy = VerificationPolicy.objects.create(version=1, effective_from=dt.date(2000, 1, 1))
    return policy


def _enforcement_policy():
    from shenguan.enforcement.common.models import EnforcementPolicy
    from shenguan.enforcement.factories import ensure_seed

    if not EnforcementPolicy.objects.exists():
        ensure_seed()
    return EnforcementPolicy.objects.order_by("version").first()


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed(
    n: int,
    *,
    rng: random.Random | None = None,
    today: dt.date | None = None,
    prefix: str = "S",
    batch: int = 5000,
    cases_per_app: float = 0.1,
    progress=None,
) -> Sample:
    rng = rng or random.Random(20261202)
    today = today or timezone.localdate()
    out = Sample()
    with transaction.atomic():
        for i, name in enumerate(("市场监管", "住建", "生态环境")):
            dept = DepartmentFactory(code=f"{prefix}D{i}", name=f"{prefix}{name}局")
            out.departments.append(dept)
            version = PowerVersionFactory(
                power=PowerFactory(code=f"{prefix}-P{i}", department=dept),
                name=f"{name}许可事项",
            )
            out.versions.append(version)
        enf = DepartmentFactory(
            code=f"{prefix}ZF", name=f"{prefix}综合执法局", kind=DepartmentKind.ENFORCEMENT_BUREAU
        )
        out.squad = SectionFactory(department=enf, code=f"{prefix}ZF-1", squad=True)
        inspectors = [
            StaffFactory(section=out.squad, certified=True, employee_no=f"{prefix}E{k}")
            for k in range(2)
        ]
        for k, gname in enumerate(("葛店社区", "工业园", "高新区", "江滨")):
            out.grids.append(
                Grid.objects.create(
                    code=f"{prefix}G{k}", name=f"{prefix}{gname}网格", kind=GridKind.choices[0][0]
                )
            )
        penalty_power = PowerFactory(code=f"{prefix}-CF", department=enf, kind=PowerKind.PENALTY)
        penalty_version = PowerVersionFactory(power=penalty_power, name="处罚事项")
    route_policy = ensure_route_policy()
    vpolicy = _policy_v()
    epolicy = _enforcement_policy()

    offset = zlib.crc32(prefix.encode()) % 10_000 * 100_000
    n_parties = max(20, n // 20)
    parties = Party.objects.bulk_create(
        [
            Party(
                kind=PartyKind.ENTERPRISE,
                name=f"{prefix}测试企业{k}有限公司",
                uscc=generated_uscc(offset + k),
                grid=rng.choice(out.grids + [None]),
                credit_tier=rng.choice(TIERS),
                is_generated=True,
            )
            for k in range(n_parties)
        ],
        batch_size=batch,
    )

    made = 0
    while made < n:
        size = min(batch, n - made)
        with transaction.atomic():
            _batch(out, rng, today, prefix, made, size, parties, route_policy, vpolicy, inspectors)
        made += size
        if progress:
            progress(made)

    cases = []
    for k in range(int(n * cases_per_app)):
        opened = today - dt.timedelta(days=rng.randint(0, 420))
        status = rng.choice(OPEN_CASE + DECIDED_CASE + DECIDED_CASE)
        decided = opened + dt.timedelta(days=rng.randint(10, 60))
        if decided > today:
            status = rng.choice(OPEN_CASE)
        row = PenaltyCase(
            number=f"{prefix}CF{k:07d}",
            procedure=CaseProcedure.GENERAL,
            status=status,
            party=rng.choice(parties),
            power=penalty_power,
            power_version=penalty_version,
            squad=out.squad,
            policy=epolicy,
            title="未取得许可从事经营活动",
            opened_on=opened,
        )
        if status in DECIDED_CASE:
            row.decided_on = decided
            row.outcome = CaseOutcome.PENALTY
            row.fine_amount = Decimal(rng.randrange(500, 50000, 100))
            if status == CaseStatus.CLOSED:
                paid = decided + dt.timedelta(days=rng.randint(1, 15))
                if paid <= today:
                    row.paid_on = paid
                    row.paid_amount = row.fine_amount
        cases.append(row)
    PenaltyCase.objects.bulk_create(cases, batch_size=batch)
    out.cases = len(cases)
    return out


def _batch(out, rng, today, prefix, start, size, parties, route_policy, vpolicy, inspectors):
    apps = []
    for i in range(start, start + size):
        version = rng.choice(out.versions)
        received = today - dt.timedelta(days=rng.randint(0, 420))
        route = rng.choice(ROUTES)
        app = Application(
            number=f"{prefix}SQ{i:08d}",
            applicant=rng.choice(parties),
            power_id=version.power_id,
            power_version=version,
            route=route,
            channel=rng.choice(Channel.values),
            route_policy=route_policy,
            received_on=received,
            created=_at(received, 9),
        )
        if rng.random() < 0.1:
            app.status = rng.choice([Status.SUBMITTED, Status.DEFICIENCY_NOTIFIED])
        else:
            accepted = received + dt.timedelta(days=rng.randint(0, 3))
            app.accepted_on = accepted
            app.promised_limit_days = 10
            app.statutory_limit_days = 20
            app.promised_due_on = accepted + dt.timedelta(days=rng.randint(10, 18))
            app.statutory_due_on = accepted + dt.timedelta(days=rng.randint(26, 32))
            decided = accepted + dt.timedelta(days=rng.randint(1, 35))
            if decided <= today and accepted <= today:
                app.decided_on = decided
                app.status = Status.LICENCE_ISSUED if rng.random() < 0.9 else Status.REFUSED
            else:
                app.status = Status.UNDER_REVIEW
        apps.append(app)
    Application.objects.bulk_create(apps)
    out.applications += len(apps)

    licences, licenced = [], []
    for app in apps:
        if app.status == Status.LICENCE_ISSUED:
            licences.append(
                Licence(
                    number=f"{prefix}XK{app.pk:09d}",
                    verification_number=f"{prefix}V{app.pk:09d}",
                    application=app,
                    holder=app.applicant,
                    power_id=app.power_id,
                    power_version=app.power_version,
                    title="许可证",
                    item_name=app.power_version.name,
                    holder_name=app.applicant.name,
                    route=app.route,
                    valid_from=app.decided_on,
                    issued_on=app.decided_on,
                    issued_at=_at(app.decided_on, 15),
                    issuing_body="行政审批局",
                )
            )
            licenced.append(app)
    Licence.objects.bulk_create(licences)

    tasks, task_pushes = [], []
    for app, licence in zip(licenced, licences, strict=True):
        if rng.random() < 0.5:
            party = app.applicant
            closed = rng.random() < 0.6
            tasks.append(
                VerificationTask(
                    number=f"{prefix}HC{app.pk:09d}",
                    origin=TaskOrigin.PLANNED,
                    method=Method.ON_SITE,
                    status=TaskStatus.CLOSED if closed else TaskStatus.OPEN,
                    party=party,
                    application=app,
                    licence=licence,
                    approval_class=app.power_version.approval_class,
                    route=app.route,
                    credit_tier=party.credit_tier or "B",
                    squad=out.squad,
                    grid=party.grid,
                    policy=vpolicy,
                    planned_on=app.decided_on,
                    deadline_working_days=15,
                    due_on=app.decided_on + dt.timedelta(days=20),
                    closed_on=app.decided_on + dt.timedelta(days=25) if closed else None,
                    result=TaskResult.COMPLIANT if closed else "",
                )
            )
            task_pushes.append(app)
    VerificationTask.objects.bulk_create(tasks)
    out.tasks += len(tasks)
    task_of = {t.application_id: t for t in tasks}
    licence_of = {lic.application_id: lic for lic in licences}

    pushes = []
    for app in apps:
        kind = None
        if app.status == Status.LICENCE_ISSUED:
            kind = PushKind.LICENCE_ISSUED
            when = app.decided_on
        elif app.accepted_on and app.route != Route.ORDINARY:
            kind = (
                PushKind.TOLERANCE_GRANTED
                if app.route == Route.TOLERANCE
                else PushKind.COMMITMENT_TAKEN
            )
            when = app.accepted_on
        if kind is None or when > today:
            continue
        pushes.append(
            Push(
                event_id=uuid.UUID(int=rng.getrandbits(128)),
                event_type="approvals.sample",
                kind=kind,
                party=app.applicant,
                application=app,
                licence=licence_of.get(app.pk),
                squad=out.squad,
                grid=app.applicant.grid,
                task=task_of.get(app.pk),
                policy=vpolicy,
                pushed_at=_at(when, 16),
            )
        )
    Push.objects.bulk_create(pushes)
    out.pushes += len(pushes)

    findings = []
    for task in tasks:
        if rng.random() < 0.7:
            inspected = task.planned_on + dt.timedelta(days=rng.randint(1, 20))
            if inspected > today:
                continue
            outcome = rng.choice(
                [FindingOutcome.COMPLIANT] * 6
                + [FindingOutcome.NON_COMPLIANT] * 2
                + [FindingOutcome.FALSIFIED]
            )
            findings.append(
                Finding(
                    task=task,
                    round=1,
                    outcome=outcome,
                    facts="现场核查情况",
                    inspected_on=inspected,
                    status=FindingStatus.FINAL,
                    recorded_by=inspectors[0],
                    co_inspector=inspectors[1],
                )
            )
    Finding.objects.bulk_create(findings)
    out.findings += len(findings)
    _alerts(out, apps, today)


def _alerts(out, apps, today):
    """Open overdue alerts for the applications whose promised date has passed, as the
    oversight sweep would write them (when the oversight app is installed)."""
    from .figures import alert_model

    model = alert_model()
    if model is None:
        return
    dept_of = {v.pk: v.power.department_id for v in out.versions}
    rows = [
        model(
            clock_kind="approval.application",
            level="overdue",
            object_type="approvals.application",
            object_id=str(app.pk),
            object_label=app.number,
            department_id=dept_of[app.power_version_id],
            grid_id=app.applicant.grid_id,
            started_on=app.accepted_on,
            due_on=app.promised_due_on,
            limit_days=10,
        )
        for app in apps
        if app.status == Status.UNDER_REVIEW and app.promised_due_on < today
    ]
    model.objects.bulk_create(rows)
    out.alerts += len(rows)

"""Table-driven: from every state, every action. Allowed moves (``workflow.TRANSITIONS``) must
succeed and land in their target; every other one must be refused with a clear error and
change nothing (status, history, journal, outbox, the application row)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from shenguan.approvals import factories, services, workflow
from shenguan.approvals.choices import Status
from shenguan.approvals.models import Application, StatusChange
from shenguan.core import journal
from shenguan.core.errors import DomainError, Forbidden, TransitionNotAllowed
from shenguan.core.models import JournalEntry, OutboxEvent

D0 = dt.date(2026, 3, 2)  # a Monday
LATE = dt.date(2026, 3, 12)  # past the 5-day notice window and the cure date
CURE = dt.date(2026, 3, 5)


class Rollback(Exception):
    pass


class World:
    def __init__(self, travel):
        self.travel = travel
        self.item = factories.approval_item()
        self.clerk = factories.clerk_user()
        self.head = factories.head_user()
        self.user, self.party = factories.applicant_user()
        self.ess = self.item.essential
        self.opt = self.item.optional

    @property
    def holder(self):
        return self.item.holder_user

    def draft(self, *, complete=True) -> Application:
        app = services.create_application(
            power_id=self.item.power.pk,
            applicant_id=self.party.pk,
            channel="online",
            route="tolerance",
            user=self.user,
        )
        provide = [*self.ess, self.opt[0]] if complete else list(self.ess)
        factories.provide_all(app, provide, self.user)
        services.sign_tolerance(
            app.pk,
            signer_name="张三",
            deferrals=[{"material_id": self.opt[1].pk, "due_on": CURE}],
            user=self.user,
        )
        return app

    def upload(self, app, material):
        services.upload_material(
            app.pk, material.pk, content=factories.PDF_BYTES, filename="x.pdf", user=self.user
        )

    # -- one builder per state --------------------------------------------------------------

    def build(self, state: str) -> Application:
        self.travel(D0)
        s = Status
        if state == s.DRAFT:
            return self.draft()
        if state == s.WITHDRAWN:
            app = self.draft()
            return services.withdraw(app.pk, reason="不办了", user=self.user)
        if state in (s.DEFICIENCY_NOTIFIED, s.RESUBMITTED):
            app = self.draft(complete=False)
            services.submit(app.pk, user=self.user)
            services.notify_deficiency(app.pk, user=self.clerk)
            if state == s.RESUBMITTED:
                self.upload(app, self.opt[0])
                services.resubmit(app.pk, user=self.user)
            return app
        app = self.draft()
        services.submit(app.pk, user=self.user)
        if state == s.SUBMITTED:
            return app
        if state == s.REDIRECTED:
            return services.redirect(app.pk, competent_body="鄂州市某局", user=self.clerk)
        if state == s.NOT_REQUIRED:
            return services.declare_not_required(app.pk, reasons="无需许可", user=self.clerk)
        if state == s.DEEMED_ACCEPTED:
            self.travel(LATE)
            services.deem_acceptance(app.pk, on=LATE)
            self.travel(D0)
            return app
        services.accept(app.pk, user=self.clerk)
        if state == s.ACCEPTED:
            return app
        if state == s.TERMINATED:
            self.travel(LATE)
            services.terminate(app.pk, on=LATE)
            self.travel(D0)
            return app
        services.start_review(app.pk, user=self.holder)
        if state == s.UNDER_REVIEW:
            return app
        if state == s.SUSPENDED:
            return services.suspend(
                app.pk, kind="testing", reason="送检", expected_working_days=5, user=self.holder
            )
        if state == s.EXTENDED:
            return services.extend(app.pk, reason="需现场核查", user=self.head)
        if state == s.REFUSED:
            return services.refuse(app.pk, reasons="条件不符", user=self.holder)
        services.approve(app.pk, user=self.holder)
        if state == s.APPROVED:
            return app
        services.issue_licence(app.pk, user=self.holder)
        assert state == s.LICENCE_ISSUED
        return app

    # -- one call per action, by an actor allowed to perform it ---------------------------

    def prepare(self, action: str, app: Application) -> None:
        """Meet the rules an allowed move needs (a faulty material for the notice, the
        listed material for resubmission); harmless where the state forbids them."""
        try:
            if action == "notify_deficiency":
                services.set_material_state(
                    app.pk, self.opt[0].pk, state="faulty", note="复印件不清晰", user=self.clerk
                )
            elif action == "resubmit":
                self.upload(app, self.opt[0])
        except DomainError:
            pass

    def run(self, action: str, app: Application):
        pk = app.pk
        if action == "submit":
            return services.submit(pk, user=self.user)
        if action == "notify_deficiency":
            return services.notify_deficiency(pk, user=self.clerk)
        if action == "resubmit":
            return services.resubmit(pk, user=self.user)
        if action == "accept":
            return services.accept(pk, user=self.clerk)
        if action == "deem_acceptance":
            self.travel(LATE)
            return services.deem_acceptance(pk, on=LATE)
        if action == "redirect":
            return services.redirect(pk, competent_body="鄂州市某局", user=self.clerk)
        if action == "not_required":
            return services.declare_not_required(pk, reasons="无需许可", user=self.clerk)
        if action == "refuse_intake":
            return services.refuse_intake(pk, reasons="不符合受理条件", user=self.clerk)
        if action == "start_review":
            return services.start_review(pk, user=self.holder)
        if action == "suspend":
            return services.suspend(
                pk,
                kind="expert_review",
                reason="专家评审",
                expected_working_days=3,
                user=self.holder,
            )
        if action == "resume":
            return services.resume(pk, user=self.holder)
        if action == "extend":
            return services.extend(pk, reason="情况复杂", user=self.head)
        if action == "approve":
            return services.approve(pk, user=self.holder)
        if action == "refuse":
            return services.refuse(pk, reasons="不符合条件", user=self.holder)
        if action == "issue_licence":
            return services.issue_licence(pk, user=self.holder)
        if action == "withdraw":
            return services.withdraw(pk, reason="撤回", user=self.user)
        if action == "terminate":
            self.travel(LATE)
            return services.terminate(pk, on=LATE)
        raise AssertionError(f"no call for {action}")


def state_of_world(app: Application) -> dict:
    app = Application.objects.get(pk=app.pk)
    return {
        "row": journal.snapshot(app),
        "history": StatusChange.objects.filter(application=app).count(),
        "journal": JournalEntry.objects.count(),
        "outbox": OutboxEvent.objects.count(),
    }


def test_every_action_has_a_caller_and_every_state_a_builder():
    assert {t.action for t in workflow.TRANSITIONS} == workflow.ACTIONS
    assert set(Status) == {t.source for t in workflow.TRANSITIONS} | workflow.FINAL_STATES
    # final states have no way out; every non-final state has one
    for state in Status:
        assert bool(workflow.targets_from(state)) == (state not in workflow.FINAL_STATES)


@pytest.mark.django_db
@pytest.mark.parametrize("state", [s.value for s in Status])
def test_from_every_state_every_action(state, travel):
    world = World(travel)
    app = world.build(state)
    assert Application.objects.get(pk=app.pk).status == state
    failures = []
    for action in sorted(workflow.ACTIONS):
        allowed = {
            t.target for t in workflow.TRANSITIONS if t.action == action and t.source == state
        }
        world.travel(D0)
        try:
            with transaction.atomic():
                world.prepare(action, app)
                before = state_of_world(app)
                try:
                    world.run(action, app)
                except DomainError as exc:
                    if allowed:
                        failures.append(f"{state} --{action}--> refused: {exc.message}")
                    else:
                        after = state_of_world(app)
                        if not isinstance(exc, TransitionNotAllowed):
                            failures.append(f"{state} --{action}: {type(exc).__name__} {exc}")
                        elif not exc.message or str(Status(state).label) not in exc.message:
                            failures.append(f"{state} --{action}: unclear error {exc.message!r}")
                        if after != before:
                            failures.append(f"{state} --{action}: refused but changed something")
                else:
                    now = Application.objects.get(pk=app.pk).status
                    if not allowed:
                        failures.append(f"{state} --{action}--> {now}: should be refused")
                    elif now not in allowed:
                        failures.append(f"{state} --{action}--> {now}, expected {allowed}")
                    else:
                        after = state_of_world(app)
                        if (
                            after["history"] <= before["history"]
                            or after["journal"] <= before["journal"]
                        ):
                            failures.append(f"{state} --{action}: no history/journal written")
                        if after["outbox"] <= before["outbox"]:
                            failures.append(f"{state} --{action}: no event emitted")
                raise Rollback
        except Rollback:
            pass
    assert not failures, "\n".join(failures)


WRONG_ACTOR = [
    # (state, action, who) — someone the table does not name for the action
    ("draft", "submit", "clerk_of_other"),
    ("submitted", "accept", "applicant"),
    ("submitted", "notify_deficiency", "holder"),
    ("accepted", "start_review", "clerk"),
    ("accepted", "approve", "backup"),  # the holder is present, so the B role does not act
    ("under_review", "approve", "head"),
    ("under_review", "extend", "holder"),
    ("under_review", "suspend", "applicant"),
    ("approved", "issue_licence", "clerk"),
    ("accepted", "withdraw", "holder"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("state,action,who", WRONG_ACTOR)
def test_wrong_actor_is_refused_without_change(state, action, who, travel):
    world = World(travel)
    app = world.build(state)
    if who == "clerk_of_other":
        # a different applicant's login: cannot even see the application
        other, _party = factories.applicant_user()
        actor, expected = other, "not_found"
    else:
        actor = {
            "applicant": world.user,
            "clerk": world.clerk,
            "holder": world.holder,
            "backup": world.item.backup_user,
            "head": world.head,
        }[who]
        expected = "forbidden"
    before = state_of_world(app)
    calls = {
        "submit": lambda: services.submit(app.pk, user=actor),
        "accept": lambda: services.accept(app.pk, user=actor),
        "notify_deficiency": lambda: services.notify_deficiency(app.pk, user=actor),
        "start_review": lambda: services.start_review(app.pk, user=actor),
        "approve": lambda: services.approve(app.pk, user=actor),
        "extend": lambda: services.extend(app.pk, reason="x", user=actor),
        "suspend": lambda: services.suspend(
            app.pk, kind="testing", reason="x", expected_working_days=1, user=actor
        ),
        "issue_licence": lambda: services.issue_licence(app.pk, user=actor),
        "withdraw": lambda: services.withdraw(app.pk, user=actor),
    }
    with pytest.raises(DomainError) as info:
        calls[action]()
    assert info.value.code == expected, info.value.message
    if expected == "forbidden":
        assert isinstance(info.value, Forbidden)
        assert "只能由" in info.value.message
    assert state_of_world(app) == before


@pytest.mark.django_db
def test_backup_decides_when_holder_absent(travel):
    world = World(travel)
    app = world.build("under_review")
    holder = world.item.holder
    holder.is_absent = True
    holder.save(update_fields=["is_absent"])
    with pytest.raises(Forbidden):
        services.approve(app.pk, user=world.holder)
    services.approve(app.pk, user=world.item.backup_user)
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert app.decision.decided_by == world.item.backup


# The lifecycle of issue 3 written out by hand, so that an accidental edit of the table fails
# here even though the services and the test above both read the table.
D, SU, DN, RS, AC, DA, UR, SP, EX, AP, LI = (
    "draft",
    "submitted",
    "deficiency_notified",
    "resubmitted",
    "accepted",
    "deemed_accepted",
    "under_review",
    "suspended",
    "extended",
    "approved",
    "licence_issued",
)
EXPECTED_PAIRS = {
    (D, SU),
    (SU, DN),
    (DN, RS),
    (SU, AC),
    (RS, AC),
    (SU, DA),
    (RS, DA),
    *((s, t) for s in (SU, RS) for t in ("redirected", "not_required", "refused")),
    (AC, UR),
    (DA, UR),
    (UR, SP),
    (EX, SP),
    (SP, UR),
    (SP, EX),
    (UR, EX),
    *((s, t) for s in (AC, DA, UR, EX) for t in (AP, "refused")),
    (AP, LI),
    *((s, "withdrawn") for s in (D, SU, DN, RS, AC, DA, UR, SP, EX)),
    *((s, "terminated") for s in (AC, DA, UR, SP, EX, AP)),
}


def test_table_matches_the_lifecycle_of_the_issue():
    assert workflow.allowed_pairs() == EXPECTED_PAIRS
    assert {"deemed_accepted", "suspended", "extended"} == workflow.SYSTEM_ONLY_STATES
    assert {
        "licence_issued",
        "refused",
        "withdrawn",
        "terminated",
        "redirected",
        "not_required",
    } == workflow.FINAL_STATES
    # legally fixed steps carry their article
    by_action = {t.action: t for t in workflow.TRANSITIONS}
    assert "第三十二条" in by_action["deem_acceptance"].article
    assert "第四十五条" in by_action["suspend"].article
    assert "第四十二条" in by_action["extend"].article
    assert "第三十八条" in by_action["refuse"].article
    # who may move: the system alone deems and terminates; only the head extends
    assert by_action["deem_acceptance"].actors == {workflow.Actor.SYSTEM}
    assert by_action["terminate"].actors == {workflow.Actor.SYSTEM}
    assert by_action["extend"].actors == {workflow.Actor.HEAD}
    assert by_action["approve"].actors == {workflow.Actor.RESPONSIBLE}

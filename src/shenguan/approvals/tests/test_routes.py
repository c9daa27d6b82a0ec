"""End to end through the services, one test per route, with the due dates checked against the
2026 holiday calendar (Spring Festival 15–23 February off; Saturdays 14 and 28 February are
make-up working days). The expected dates below were counted by hand from that calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from shenguan.approvals import factories, services
from shenguan.approvals.choices import (
    CommitmentStatus,
    LicenceStatus,
    MaterialState,
    Route,
    Status,
)
from shenguan.approvals.clocks import CalendarUnknown
from shenguan.approvals.models import Application, Licence
from shenguan.core.errors import Conflict, DomainError
from shenguan.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

ACCEPTED = dt.date(2026, 2, 10)  # Tuesday before the Spring Festival
STATUTORY_DUE = dt.date(2026, 3, 16)  # 20 working days
PROMISED_DUE = dt.date(2026, 3, 2)  # 10 working days: 11,12,13,14*,24,25,26,27,28*,2 Mar


def events(kind: str):
    return list(OutboxEvent.objects.filter(type=kind).order_by("created"))


def test_ordinary_route(flow, item, travel):
    travel(ACCEPTED)
    flow.create()
    flow.provide()
    flow.submit()
    app = flow.accept()
    assert app.status == Status.ACCEPTED
    assert app.accepted_on == ACCEPTED
    assert app.statutory_due_on == STATUTORY_DUE
    assert app.promised_due_on == PROMISED_DUE
    assert app.warn_on == dt.date(2026, 2, 27)  # 8 of 10 working days
    assert app.responsible == item.holder
    receipt = app.receipts.get()
    assert receipt.kind == "acceptance"
    assert receipt.number.startswith("葛审受〔2026〕") and receipt.number.endswith("号")

    travel(dt.date(2026, 2, 12))
    services.start_review(app.pk, user=item.holder_user)
    services.approve(app.pk, user=item.holder_user, conditions="经营项目：预包装食品销售")
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    # art 44: 10 working days after 12 Feb: 13, 14*, 24, 25, 26, 27, 28*, 2, 3, 4 Mar
    assert app.licence_due_on == dt.date(2026, 3, 4)

    travel(dt.date(2026, 2, 13))
    licence = services.issue_licence(app.pk, user=item.holder_user)
    app.refresh_from_db()
    assert app.status == Status.LICENCE_ISSUED
    assert licence.status == LicenceStatus.VALID
    assert licence.route == Route.ORDINARY
    assert licence.conditions == "经营项目：预包装食品销售"
    assert licence.valid_from == dt.date(2026, 2, 13)
    assert licence.valid_until == dt.date(2031, 2, 12)  # 5 years
    assert licence.number == f"葛审许〔2026〕{licence.verification_number[-6:]}号"
    issued = events("approvals.licence.issued")
    assert len(issued) == 1
    payload = issued[0].payload
    assert payload["licence_id"] == licence.pk
    assert payload["party_id"] == flow.party.pk
    assert payload["item_code"] == item.power.code
    assert payload["approval_class"] == "cautious"
    assert payload["route"] == "ordinary"
    assert payload["deferred_materials"] == []
    history = list(app.history.values_list("to_status", flat=True))
    assert history == [
        "draft",
        "submitted",
        "accepted",
        "under_review",
        "approved",
        "licence_issued",
    ]
    assert app.current_change.to_status == "licence_issued"


def test_suspension_and_extension_shift_the_statutory_due_date(flow, item, head, travel):
    travel(ACCEPTED)
    flow.create()
    flow.provide()
    flow.submit()
    app = flow.accept()
    services.start_review(app.pk, user=item.holder_user)
    travel(dt.date(2026, 2, 12))
    services.suspend(
        app.pk,
        kind="testing",
        reason="样品送检",
        expected_working_days=5,
        user=item.holder_user,
    )
    app.refresh_from_db()
    assert app.status == Status.SUSPENDED
    assert "5个工作日" in app.suspensions.get().notice_text
    travel(dt.date(2026, 2, 26))
    services.resume(app.pk, user=item.holder_user)
    app.refresh_from_db()
    # 13, 14 (make-up Saturday), 24, 25, 26 February did not count
    assert app.suspensions.get().paused_days == 5
    assert app.suspended_days == 5
    assert app.status == Status.UNDER_REVIEW
    assert app.statutory_due_on == dt.date(2026, 3, 23)
    assert app.promised_due_on == dt.date(2026, 3, 9)

    travel(dt.date(2026, 3, 10))
    services.extend(app.pk, reason="需组织现场核查", user=head)
    app.refresh_from_db()
    assert app.status == Status.EXTENDED
    assert app.statutory_due_on == dt.date(2026, 4, 7)  # +10 working days (Qingming 4–6 Apr)
    assert app.promised_due_on == dt.date(2026, 3, 9)  # the promise does not move
    assert "2026-04-07" in app.extension.notice_text
    ext = events("approvals.application.extended")[0]
    assert ext.payload["reason"] == "需组织现场核查"
    with pytest.raises(Conflict):
        services.extend(app.pk, reason="再延", user=head)


def test_extension_only_before_the_limit_runs_out(flow, item, head, travel):
    travel(ACCEPTED)
    flow.create()
    flow.provide()
    flow.submit()
    app = flow.accept()
    services.start_review(app.pk, user=item.holder_user)
    travel(dt.date(2026, 3, 17))
    with pytest.raises(Conflict, match="已于2026-03-16届满"):
        services.extend(app.pk, reason="太晚了", user=head)


def test_tolerance_route(flow, item, travel):
    travel(ACCEPTED)
    app = flow.create(route="tolerance")
    flow.provide([*item.essential, item.optional[0]])
    commitment = services.sign_tolerance(
        app.pk,
        signer_name="李四",
        deferrals=[{"material_id": item.optional[1].pk, "due_on": PROMISED_DUE}],
        user=flow.user,
    )
    assert commitment.status == CommitmentStatus.SIGNED
    assert "非要件材料2" in commitment.notice_text
    flow.submit()
    app = flow.accept()
    assert app.status == Status.ACCEPTED
    assert app.promised_due_on == PROMISED_DUE
    granted = events("approvals.tolerance.granted")
    assert len(granted) == 1
    assert granted[0].payload["deferred_materials"][0]["material_id"] == item.optional[1].pk
    assert granted[0].payload["deferred_materials"][0]["due_on"] == "2026-03-02"

    travel(dt.date(2026, 2, 12))
    services.approve(app.pk, user=item.holder_user, issue_now=True)
    app.refresh_from_db()
    assert app.status == Status.LICENCE_ISSUED
    licence = app.licences.get()
    assert licence.route == Route.TOLERANCE

    travel(dt.date(2026, 2, 25))
    services.supplement(
        app.pk,
        item.optional[1].pk,
        content=factories.PDF_BYTES,
        filename="补交.pdf",
        user=flow.user,
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED
    sub = app.materials.get(material=item.optional[1])
    assert sub.state == MaterialState.SUPPLEMENTED
    fulfilled = events("approvals.tolerance.fulfilled")
    assert fulfilled and fulfilled[0].payload["licence_ids"] == [licence.pk]


def test_tolerance_cure_date_may_not_pass_the_promised_limit(flow, item, travel):
    travel(ACCEPTED)
    app = flow.create(route="tolerance")
    flow.provide(item.essential)
    with pytest.raises(DomainError, match="不得晚于承诺办结期限2026-03-02"):
        services.sign_tolerance(
            app.pk,
            signer_name="李四",
            deferrals=[{"material_id": item.optional[1].pk, "due_on": dt.date(2026, 3, 3)}],
            user=flow.user,
        )
    with pytest.raises(DomainError, match="要件"):
        services.sign_tolerance(
            app.pk,
            signer_name="李四",
            deferrals=[{"material_id": item.essential[0].pk, "due_on": PROMISED_DUE}],
            user=flow.user,
        )
    # cautious class, tier B: at most one material
    with pytest.raises(DomainError, match="最多可容缺1项"):
        services.sign_tolerance(
            app.pk,
            signer_name="李四",
            deferrals=[
                {"material_id": item.optional[0].pk, "due_on": PROMISED_DUE},
                {"material_id": item.optional[1].pk, "due_on": PROMISED_DUE},
            ],
            user=flow.user,
        )


def test_ordinary_route_cannot_be_accepted_incomplete(flow, item, travel):
    travel(ACCEPTED)
    flow.create()
    flow.provide(item.essential)
    flow.submit()
    with pytest.raises(DomainError, match="非要件材料1、非要件材料2"):
        flow.accept()
    assert flow.refresh().status == Status.SUBMITTED
    notice = services.notify_deficiency(flow.app.pk, user=flow.clerk)
    assert [i["name"] for i in notice.items] == ["非要件材料1", "非要件材料2"]
    assert notice.number.startswith("葛审补〔2026〕")
    with pytest.raises(DomainError, match="尚未补正"):
        services.resubmit(flow.app.pk, user=flow.user)
    flow.provide(item.optional)
    services.resubmit(flow.app.pk, user=flow.user)
    assert flow.accept().status == Status.ACCEPTED


def test_commitment_route_decides_and_licenses_on_the_spot(flow, item, travel):
    travel(ACCEPTED)
    app = flow.create(route="commitment")
    commitment = app.commitments.get()
    assert commitment.status == CommitmentStatus.NOTIFIED
    text = commitment.notice_text
    # 深圳经济特区社会信用条例 art 61: item, conditions, power to verify, liability, choice
    for part in (item.version.name, "办理条件", "核查", "法律责任", "自主选择", "撤回承诺"):
        assert part in text
    flow.provide([*item.essential, item.optional[0]])
    services.sign_commitment(
        app.pk,
        signer_name="王五",
        deferrals=[{"material_id": item.optional[1].pk, "due_on": dt.date(2026, 2, 27)}],
        user=flow.user,
    )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.SIGNED
    assert commitment.signer_name == "王五"
    assert commitment.signed_at is not None
    taken = events("approvals.commitment.taken")
    assert taken[0].payload["deferred_materials"][0]["name"] == "非要件材料2"
    flow.submit()
    app = flow.accept()
    services.approve(app.pk, user=item.holder_user)
    app.refresh_from_db()
    assert app.status == Status.LICENCE_ISSUED
    assert app.decided_on == ACCEPTED == app.accepted_on
    assert app.decision.on_the_spot is True
    licence = app.licences.get()
    assert licence.route == Route.COMMITMENT
    assert licence.issued_on == ACCEPTED
    statuses = list(app.history.values_list("to_status", flat=True))
    assert statuses[-2:] == ["approved", "licence_issued"]


def test_commitment_withdrawn_before_completion_falls_back_to_ordinary(flow, item, travel):
    travel(ACCEPTED)
    app = flow.create(route="commitment")
    flow.provide([*item.essential, item.optional[0]])
    services.sign_commitment(
        app.pk,
        signer_name="王五",
        deferrals=[{"material_id": item.optional[1].pk, "due_on": dt.date(2026, 2, 27)}],
        user=flow.user,
    )
    with pytest.raises(DomainError):
        services.withdraw_commitment(app.pk, reason="", user=flow.user)
    services.withdraw_commitment(app.pk, reason="材料已备齐，改走一般程序", user=flow.user)
    app.refresh_from_db()
    assert app.route == Route.ORDINARY
    assert app.materials.get(material=item.optional[1]).state == MaterialState.MISSING
    # 深圳经济特区社会信用条例 art 62: after withdrawal the ordinary procedure applies
    with pytest.raises(Conflict, match="一般程序"):
        services.choose_route(app.pk, "commitment", user=flow.user)


@pytest.mark.parametrize("route", ["tolerance", "commitment"])
def test_blacklisted_applicant_is_refused_the_special_routes(item, travel, route):
    travel(ACCEPTED)
    user, party = factories.applicant_user(credit_tier="D")
    with pytest.raises(DomainError) as info:
        services.create_application(
            power_id=item.power.pk, applicant_id=party.pk, channel="online", route=route, user=user
        )
    assert "D（严重失信）" in info.value.message
    assert not Application.objects.exists()
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    with pytest.raises(DomainError, match="D（严重失信）"):
        services.choose_route(app.pk, route, user=user)
    app.refresh_from_db()
    assert app.route == Route.ORDINARY


def test_blacklisted_applicant_gets_strict_review(item, clerk, travel):
    travel(ACCEPTED)
    user, party = factories.applicant_user(credit_tier="D")
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, item.materials, user)
    services.submit(app.pk, user=user)
    app = services.accept(app.pk, user=clerk)
    assert app.strict_review is True
    with pytest.raises(DomainError, match="两人审查"):
        services.approve(app.pk, user=item.holder_user)
    # the decider's own opinion does not count as the second one
    services.record_review(app.pk, conclusion="approve", user=item.holder_user)
    with pytest.raises(DomainError, match="两人审查"):
        services.approve(app.pk, user=item.holder_user)
    services.record_review(app.pk, conclusion="approve", opinion="同意", user=item.backup_user)
    services.approve(app.pk, user=item.holder_user)
    app.refresh_from_db()
    assert app.status == Status.APPROVED
    assert app.reviews.count() == 2


def test_green_tier_gets_the_shortened_promised_limit(item, clerk, travel):
    travel(ACCEPTED)
    user, party = factories.applicant_user(credit_tier="A")
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    factories.provide_all(app, item.materials, user)
    services.submit(app.pk, user=user)
    app = services.accept(app.pk, user=clerk)
    assert app.green_channel is True
    assert app.promised_limit_days == 7  # 10 − 30 %
    assert app.promised_due_on == dt.date(2026, 2, 26)
    assert app.statutory_due_on == STATUTORY_DUE  # the law's limit is not the policy's to cut


def test_controlled_item_never_takes_commitment(travel):
    travel(ACCEPTED)
    controlled = factories.approval_item(approval_class="controlled")
    user, party = factories.applicant_user(credit_tier="A")
    for route, words in (("commitment", "控制类"), ("tolerance", "不适用容缺受理")):
        with pytest.raises(DomainError, match=words):
            services.create_application(
                power_id=controlled.power.pk,
                applicant_id=party.pk,
                channel="online",
                route=route,
                user=user,
            )


def test_tier_c_has_tolerance_but_no_commitment(item, travel):
    travel(ACCEPTED)
    user, party = factories.applicant_user(credit_tier="C")
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    options = {o["route"]: o for o in services.route_options(app)}
    assert options["tolerance"]["allowed"] is True
    assert options["commitment"]["allowed"] is False
    assert "信用等级为C" in options["commitment"]["reason"]


@pytest.mark.parametrize("route", ["tolerance", "commitment"])
def test_unrepaired_broken_commitment_closes_the_special_routes_at_any_tier(item, travel, route):
    """深圳经济特区社会信用条例 art 59: a false or unkept commitment not yet repaired keeps the
    party off both routes even after its tier has climbed back to B."""
    from shenguan.credit import services as credit

    travel(ACCEPTED)
    user, party = factories.applicant_user(credit_tier="B")
    credit.record_event(party.pk, "commitment_broken", source="verification")
    party.refresh_from_db()
    if party.credit_tier != "B":  # the breach lowered the tier; force it back up
        from shenguan.parties.services import set_credit_tier

        set_credit_tier(party.pk, "B", reason="test: tier recovered")
    app = services.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=user
    )
    options = {o["route"]: o for o in services.route_options(app)}
    assert options[route]["allowed"] is False
    assert "尚未信用修复" in options[route]["reason"]
    with pytest.raises(DomainError, match="尚未信用修复"):
        services.choose_route(app.pk, route, user=user)
    assert options["ordinary"]["allowed"] is True


def test_refusal_needs_reasons_and_remedies(flow, item, travel):
    travel(ACCEPTED)
    flow.create()
    flow.provide()
    flow.submit()
    app = flow.accept()
    with pytest.raises(DomainError, match="第三十八条"):
        services.refuse(app.pk, reasons=" ", user=item.holder_user)
    with pytest.raises(DomainError, match="行政复议"):
        services.refuse(app.pk, reasons="场所不符合要求", remedies="", user=item.holder_user)
    services.refuse(app.pk, reasons="场所不符合要求", user=item.holder_user)
    app.refresh_from_db()
    assert app.status == Status.REFUSED
    assert "行政复议" in app.decision.remedies


def test_unknown_year_is_refused_clearly_and_nothing_changes(flow, travel):
    travel(dt.date(2026, 12, 10))
    flow.create()
    flow.provide()
    flow.submit()
    with pytest.raises(CalendarUnknown, match="2027年"):
        flow.accept()
    app = flow.refresh()
    assert app.status == Status.SUBMITTED
    assert app.accepted_on is None
    assert not app.receipts.exists()


def test_twenty_approvals_make_one_licence_sequentially(flow, item, travel):
    """The same guarantee as the PostgreSQL thread test, serially: repeated approve/issue
    calls never make a second licence."""
    travel(ACCEPTED)
    flow.create()
    flow.provide()
    flow.submit()
    app = flow.accept()
    ok = 0
    for i in range(20):
        try:
            if i % 2:
                services.issue_licence(app.pk, user=item.holder_user)
            else:
                services.approve(app.pk, user=item.holder_user, issue_now=True)
            ok += 1
        except DomainError:
            pass
    assert ok == 1
    assert Licence.objects.filter(application=app).count() == 1


def test_item_excluded_from_commitment_by_its_template(travel):
    travel(ACCEPTED)
    risky = factories.approval_item(approval_class="encouraged", commitment_excluded=True)
    user, party = factories.applicant_user(credit_tier="A")
    with pytest.raises(DomainError, match="不适用告知承诺的事项"):
        services.create_application(
            power_id=risky.power.pk,
            applicant_id=party.pk,
            channel="online",
            route="commitment",
            user=user,
        )
    app = services.create_application(
        power_id=risky.power.pk,
        applicant_id=party.pk,
        channel="online",
        route="tolerance",
        user=user,
    )
    assert app.route == Route.TOLERANCE  # encouraged: tolerance stays open

"""The accountability workflow: every allowed move by the right people, every other refused;
visibility of alerts and records by scope; the API and its query-count guards."""

import pytest

from shenguan.core.errors import Forbidden, NotFound, TransitionNotAllowed
from shenguan.core.models import JournalEntry, OutboxEvent
from shenguan.oversight import services, workflow
from shenguan.oversight.choices import AccountabilityStatus as S
from shenguan.oversight.models import AccountabilityRecord, Alert

pytestmark = pytest.mark.django_db


def test_transition_table_allows_only_listed_moves():
    for t in workflow.TRANSITIONS:
        assert workflow.find(t.action, t.source).target == t.target
    for action in workflow.ACTIONS:
        for source in S:
            listed = any(t.action == action and t.source == source for t in workflow.TRANSITIONS)
            if listed:
                continue
            with pytest.raises(TransitionNotAllowed):
                workflow.find(action, source)


def test_section_head_confirms_staff_appeals_bureau_head_overturns(overdue_record, make_user):
    d, _app, record = overdue_record
    assert record.status == S.PROPOSED
    # the staff member may not review their own record
    with pytest.raises(Forbidden):
        services.review(record.pk, confirm=False, note="不是我", user=d.holder)
    # the backup (a colleague) sees nothing of it
    with pytest.raises(NotFound):
        services.review(record.pk, confirm=True, user=d.backup)
    services.review(record.pk, confirm=True, note="确属逾期", user=d.head)
    record.refresh_from_db()
    assert record.status == S.CONFIRMED and record.reviewed_by == d.head
    # the head cannot appeal on the staff member's behalf
    with pytest.raises(Forbidden):
        services.appeal(record.pk, grounds="x", user=d.head)
    services.appeal(record.pk, grounds="系统故障两日无法受理", user=d.holder)
    record.refresh_from_db()
    assert record.status == S.APPEALED
    # the section head cannot decide the appeal; a bureau head can
    with pytest.raises(Forbidden):
        services.decide_appeal(record.pk, uphold=True, note="维持", user=d.head)
    bureau = make_user("bureau_head", staff=True)
    services.decide_appeal(record.pk, uphold=False, note="经核实系统故障", user=bureau)
    record.refresh_from_db()
    assert record.status == S.OVERTURNED
    with pytest.raises(TransitionNotAllowed):
        services.appeal(record.pk, grounds="again", user=d.holder)
    actions = list(
        JournalEntry.objects.filter(
            action__startswith="oversight.accountability.", object_id=str(record.pk)
        ).values_list("action", flat=True)
    )
    assert actions == [
        "oversight.accountability.proposed",
        "oversight.accountability.confirm",
        "oversight.accountability.appeal",
        "oversight.accountability.overturn",
    ]
    assert OutboxEvent.objects.filter(type="oversight.accountability.overturned").count() == 1


def test_the_reviewing_bureau_head_does_not_decide_the_appeal(overdue_record, make_user):
    d, _app, record = overdue_record
    bureau = make_user("bureau_head", staff=True)
    services.review(record.pk, confirm=True, user=bureau)
    services.appeal(record.pk, grounds="理由", user=d.holder)
    with pytest.raises(Forbidden):
        services.decide_appeal(record.pk, uphold=True, note="维持", user=bureau)
    other = make_user("bureau_head", staff=True)
    services.decide_appeal(record.pk, uphold=True, note="维持", user=other)
    assert AccountabilityRecord.objects.get().status == S.UPHELD


def test_dismissal_needs_a_reason(overdue_record):
    from shenguan.core.errors import DomainError

    d, _app, record = overdue_record
    with pytest.raises(DomainError):
        services.review(record.pk, confirm=False, note="", user=d.head)
    services.review(record.pk, confirm=False, note="客观原因", user=d.head)
    assert AccountabilityRecord.objects.get().status == S.DISMISSED


def test_manual_proposal_by_head_only(overdue_record, make_user):
    d, _app, _record = overdue_record
    alert = Alert.objects.get(level="overdue")
    with pytest.raises(Forbidden):
        services.propose(d.holder.staff.pk, reason="x", user=d.backup)
    record = services.propose(d.holder.staff.pk, reason="多次逾期", alert_id=alert.pk, user=d.head)
    assert record.origin == "manual" and record.alert == alert
    assert AccountabilityRecord.objects.count() == 2


def test_visibility_of_alerts_and_records(overdue_record, make_user):
    d, _app, record = overdue_record
    alert = Alert.objects.get(level="overdue")
    seen = lambda user: set(Alert.objects.restrict(user).values_list("pk", flat=True))  # noqa: E731
    assert alert.pk in seen(d.holder)  # responsible
    assert alert.pk in seen(d.backup)  # escalated to them
    assert alert.pk in seen(d.head)  # their section
    assert alert.pk in seen(make_user("command_centre", staff=True))
    assert alert.pk in seen(make_user("bureau_head", staff=True))
    assert alert.pk not in seen(make_user("approval_officer", staff=True))
    assert alert.pk not in seen(make_user("applicant"))
    recs = lambda user: set(  # noqa: E731
        AccountabilityRecord.objects.restrict(user).values_list("pk", flat=True)
    )
    assert record.pk in recs(d.holder) and record.pk in recs(d.head)
    assert record.pk not in recs(d.backup)
    assert record.pk not in recs(make_user("enforcement_officer", staff=True))
    centre = make_user("command_centre", staff=True)
    assert record.pk in recs(centre)
    with pytest.raises(Forbidden):
        services.review(record.pk, confirm=True, user=centre)


def test_api_lists_and_actions(overdue_record, api, make_user, django_assert_max_num_queries):
    d, _app, record = overdue_record
    api.login(d.head)
    with django_assert_max_num_queries(12):
        status, body = api.get("/api/oversight/alerts?limit=50")
    # the first sweep ran after the due date: straight to overdue, no warning
    assert status == 200 and body["count"] == 1
    assert body["items"][0]["level"] == "overdue"
    status, body = api.get("/api/oversight/alerts?open=true&level=overdue")
    assert body["count"] == 1
    overdue_id = body["items"][0]["id"]
    status, body = api.get(f"/api/oversight/alerts/{overdue_id}")
    assert status == 200
    assert [e["target_kind"] for e in body["escalations"]] == ["backup", "section_head"]
    with django_assert_max_num_queries(12):
        status, body = api.get("/api/oversight/accountability")
    assert status == 200 and body["count"] == 1
    status, body = api.post(
        f"/api/oversight/accountability/{record.pk}/review", {"confirm": True, "note": "确认"}
    )
    assert status == 200 and body["status"] == "confirmed"
    status, body = api.post(f"/api/oversight/accountability/{record.pk}/appeal", {"grounds": "x"})
    assert status == 403 and body["type"].endswith("forbidden")

    outsider = make_user("approval_officer", staff=True)
    api.login(outsider)
    assert api.get(f"/api/oversight/accountability/{record.pk}")[0] == 404
    assert api.get(f"/api/oversight/alerts/{overdue_id}")[0] == 404
    assert api.get("/api/oversight/alerts")[1]["count"] == 0
    assert api.post(f"/api/oversight/accountability/{record.pk}/appeal", {"grounds": "x"})[0] == 404

    api.login(d.holder)
    status, body = api.post(
        f"/api/oversight/accountability/{record.pk}/appeal", {"grounds": "不可抗力"}
    )
    assert status == 200 and body["status"] == "appealed"


def test_alert_list_query_count_does_not_grow(overdue_record, api, django_assert_max_num_queries):
    from shenguan.oversight.factories import accepted_application

    d, _app, _record = overdue_record
    import datetime as dt

    from .conftest import sweep_on

    for _ in range(5):
        accepted_application(d, dt.date(2026, 9, 22), dt.date(2026, 10, 13))
    sweep_on(dt.date(2026, 10, 14))
    centre = d.head
    api.login(centre)
    with django_assert_max_num_queries(12):
        status, body = api.get("/api/oversight/alerts?limit=100")
    assert body["count"] == 6


def test_policy_endpoint(api, make_user):
    api.login(make_user("approval_officer", staff=True))
    status, body = api.get("/api/oversight/policy")
    assert status == 200 and body["warning_share"] == 0.8 and body["accountability_after_days"] == 3
    api.login(make_user("applicant"))
    assert api.get("/api/oversight/policy")[0] == 404


def test_record_list_query_count_does_not_grow(
    overdue_record, api, make_user, django_assert_max_num_queries
):
    d, _app, _record = overdue_record
    for n in range(6):
        services.propose(d.backup.staff.pk, reason=f"第{n}次逾期", user=d.head)
    api.login(make_user("bureau_head", staff=True))
    with django_assert_max_num_queries(12):
        status, body = api.get("/api/oversight/accountability?limit=100")
    assert status == 200 and body["count"] == 7
    assert {r["staff_name"] for r in body["items"]} == {d.holder.staff.name, d.backup.staff.name}

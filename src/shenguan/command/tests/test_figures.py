"""Every figure against the seeded rows, counted again here in Python from the rows."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest

from shenguan.approvals import workflow
from shenguan.approvals.models import Application
from shenguan.command import figures
from shenguan.enforcement.cases.choices import CaseStatus
from shenguan.enforcement.cases.models import PenaltyCase
from shenguan.parties.models import Party
from shenguan.verification.models import Finding, Push

START = dt.date(2025, 12, 1)  # the default period on the frozen day: 12 months to 2026-11-16


def _in(day, start=START, end=None):
    from .conftest import TODAY

    end = end or TODAY
    return day is not None and start <= day <= end


def _month(day):
    return day.strftime("%Y-%m")


@pytest.fixture
def get(api, centre_user):
    api.login(centre_user)

    def fetch(name, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        status, body = api.get(f"/api/command/{name}" + (f"?{query}" if query else ""))
        assert status == 200, body
        return body

    return fetch


def _series(fig, key):
    return next(s for s in fig["series"] if s["key"] == key)


def test_default_period_is_twelve_months(sample, get):
    fig = get("intake")
    assert fig["start"] == START.isoformat()
    assert fig["end"] == "2026-11-16"
    assert len(fig["labels"]) == 12 and fig["labels"][0] == "2025-12"


def test_intake_and_decisions_per_month(sample, get):
    apps = list(Application.objects.all())
    received = Counter(_month(a.received_on) for a in apps if _in(a.received_on))
    decided = Counter(_month(a.decided_on) for a in apps if _in(a.decided_on))
    fig = get("intake")
    assert dict(zip(fig["labels"], _series(fig, "received")["data"])) == {
        m: received.get(m, 0) for m in fig["labels"]
    }
    assert dict(zip(fig["labels"], _series(fig, "decided")["data"])) == {
        m: decided.get(m, 0) for m in fig["labels"]
    }
    assert sum(received.values()) > 100  # the sample is not empty


def test_on_time_rates(sample, get):
    decided = [
        a for a in Application.objects.all() if _in(a.decided_on) and a.promised_due_on is not None
    ]
    fig = get("on_time")
    for label, value in zip(fig["labels"], _series(fig, "promised")["data"]):
        rows = [a for a in decided if _month(a.decided_on) == label]
        ok = [a for a in rows if a.decided_on <= a.promised_due_on]
        assert value == (round(100 * len(ok) / len(rows), 1) if rows else None)
    late = sum(1 for a in decided if a.decided_on > a.statutory_due_on)
    assert fig["summary"]["on_statutory"] == len(decided) - late
    assert 0 < fig["summary"]["promised_rate"] < 100


def test_time_to_decision_per_route(sample, get):
    fig = get("time_to_decision")
    rows = [
        a
        for a in Application.objects.all()
        if _in(a.decided_on) and a.accepted_on and a.promised_due_on
    ]
    for i, route in enumerate(("ordinary", "tolerance", "commitment")):
        mine = [a for a in rows if a.route == route]
        taken = sum((a.decided_on - a.accepted_on).days for a in mine) / len(mine)
        allowed = sum((a.promised_due_on - a.accepted_on).days for a in mine) / len(mine)
        assert _series(fig, "taken")["data"][i] == pytest.approx(taken, abs=0.06)
        assert _series(fig, "allowed")["data"][i] == pytest.approx(allowed, abs=0.06)


def test_route_shares(sample, get):
    counts = Counter(a.route for a in Application.objects.all() if _in(a.accepted_on))
    fig = get("routes")
    assert _series(fig, "accepted")["data"] == [
        counts["ordinary"],
        counts["tolerance"],
        counts["commitment"],
    ]
    special = counts["tolerance"] + counts["commitment"]
    assert fig["summary"]["special_share"] == round(100 * special / sum(counts.values()), 1)


def test_verification_coverage_and_findings(sample, get):
    pushes = [p for p in Push.objects.all() if _in(dt.date.fromisoformat(str(p.pushed_at)[:10]))]
    fig = get("verification")
    assert fig["summary"]["pushed"] == len(pushes)
    assert fig["summary"]["covered"] == sum(1 for p in pushes if p.task_id)
    assert 0 < fig["summary"]["coverage"] < 100
    found = Counter(f.outcome for f in Finding.objects.all() if _in(f.inspected_on))
    fig = get("findings")
    assert _series(fig, "findings")["data"] == [
        found["compliant"],
        found["non_compliant"],
        found["falsified"],
    ]


def test_enforcement_stages_and_fines(sample, get):
    cases = list(PenaltyCase.objects.all())
    stages = Counter(c.status for c in cases if _in(c.opened_on))
    fig = get("enforcement_stages")
    assert _series(fig, "cases")["data"] == [stages.get(s.value, 0) for s in CaseStatus]
    fig = get("fines")
    imposed = Counter()
    for c in cases:
        if _in(c.decided_on) and c.outcome == "penalty":
            imposed[_month(c.decided_on)] += c.fine_amount
    assert _series(fig, "imposed")["data"] == [float(imposed.get(m, 0)) for m in fig["labels"]]
    paid = sum((c.paid_amount for c in cases if _in(c.paid_on)), Decimal(0))
    assert fig["summary"]["paid"] == pytest.approx(float(paid))
    assert fig["summary"]["imposed"] > 0


def test_credit_tiers(sample, get):
    tiers = Counter(Party.objects.values_list("credit_tier", flat=True))
    fig = get("credit_tiers")
    assert _series(fig, "parties")["data"] == [tiers[t] for t in "ABCD"]
    assert _series(fig, "parties")["links"][3].endswith("credit_tier=D")


def test_overdue_heatmap_from_applications(sample, get, monkeypatch, frozen):
    monkeypatch.setattr(figures, "alert_model", lambda: None)
    late = Counter(
        (a.power.department.name, a.applicant.grid.name if a.applicant.grid else "未划分")
        for a in Application.objects.select_related("power__department", "applicant__grid")
        if a.status in workflow.CLOCK_RUNNING and a.promised_due_on < frozen
    )
    fig = get("overdue_heatmap")
    assert fig["summary"]["source"] == "applications"
    cells = {(fig["labels"][c["x"]], fig["y_labels"][c["y"]]): c["value"] for c in fig["cells"]}
    assert cells == dict(late)
    assert sum(late.values()) > 0


def test_custom_period_and_bad_period(sample, api, centre_user):
    api.login(centre_user)
    status, fig = api.get("/api/command/intake?start=2026-10-01&end=2026-11-16")
    assert status == 200 and fig["labels"] == ["2026-10", "2026-11"]
    status, body = api.get("/api/command/intake?start=2026-11-01&end=2026-10-01")
    assert status == 400
    status, body = api.get("/api/command/intake?start=2020-01-01&end=2026-10-01")
    assert status == 400


def _count_on_page(client, url) -> int:
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    return int(re.search(r'id="records-count">[^0-9]*([0-9]+)', text).group(1))


@pytest.mark.parametrize(
    "name,key,index",
    [
        ("intake", "received", 5),
        ("intake", "decided", 11),
        ("routes", "accepted", 1),
        ("verification", "covered", 0),
        ("verification", "pushed", 1),
        ("findings", "findings", 1),
        ("enforcement_stages", "cases", 1),
    ],
)
def test_drill_down_lists_the_counted_records(sample, get, client, name, key, index):
    fig = get(name)
    series = _series(fig, key)
    assert series["data"][index] > 0
    assert _count_on_page(client, series["links"][index]) == series["data"][index]


def test_drill_down_of_rates_lists_the_late_decisions(sample, get, client):
    fig = get("on_time")
    rows = [
        a
        for a in Application.objects.all()
        if a.decided_on and _month(a.decided_on) == fig["labels"][10] and a.promised_due_on
    ]
    late = sum(1 for a in rows if a.decided_on > a.promised_due_on)
    assert _count_on_page(client, _series(fig, "promised")["links"][10]) == late


@pytest.mark.parametrize("source", ["alerts", "applications"])
def test_drill_down_of_heatmap_cell(sample, get, client, monkeypatch, source):
    if source == "applications":
        monkeypatch.setattr(figures, "alert_model", lambda: None)
    fig = get("overdue_heatmap")
    assert fig["summary"]["source"] == source
    cell = max(fig["cells"], key=lambda c: c["value"])
    assert _count_on_page(client, cell["link"]) == cell["value"]


def test_overdue_heatmap_from_oversight_alerts(sample, get, frozen):
    from shenguan.oversight.models import Alert

    # one resolved and one warning alert: neither counts
    first = Alert.objects.order_by("pk").first()
    Alert.objects.create(
        clock_kind=first.clock_kind,
        level="warning",
        object_type="x",
        object_id="1",
        object_label="x",
        department=first.department,
        started_on=first.started_on,
        due_on=first.due_on,
        limit_days=10,
    )
    Alert.objects.filter(pk=first.pk).update(resolved_at=first.created)
    expected = Counter(
        (al.department.name if al.department else "未划分", al.grid.name if al.grid else "未划分")
        for al in Alert.objects.select_related("department", "grid")
        if al.level == "overdue" and al.resolved_at is None
    )
    fig = get("overdue_heatmap")
    assert fig["summary"]["source"] == "alerts"
    cells = {(fig["labels"][c["x"]], fig["y_labels"][c["y"]]): c["value"] for c in fig["cells"]}
    assert cells == dict(expected) and sum(expected.values()) > 0
    cell = max(fig["cells"], key=lambda c: c["value"])
    assert "/command/records/alerts/" in cell["link"]


def test_overdue_heatmap_falls_back_while_no_alert_exists(sample, get):
    from shenguan.oversight.models import Alert

    Alert.objects.all().delete()
    assert get("overdue_heatmap")["summary"]["source"] == "applications"

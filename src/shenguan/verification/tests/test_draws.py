"""Double-random draws: reproducible (``shenguan draw replay`` exit 0) and tamper-evident
(non-zero exit), recusal and the two-inspector minimum hold, too few inspectors are refused
clearly with nothing changed, and results are published once every inspection finished."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from shenguan.approvals import factories as af
from shenguan.core.errors import DomainError, Forbidden
from shenguan.parties.factories import IndividualFactory
from shenguan.parties.models import PartyAccount
from shenguan.verification import drawing, services
from shenguan.verification.choices import DrawStatus, PoolStatus, TaskOrigin
from shenguan.verification.models import Draw, PoolEntry, VerificationTask

from .conftest import deliver

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 4, 13)  # a Monday


@pytest.fixture
def directory(zone, flows, travel):
    """Four encouraged approvals in the sampling directory (tiers A, B, C and an individual)."""
    travel(DAY)
    licences = []
    for tier in ("A", "B", "C"):
        user, party = flows.party(grid=zone.grid1, credit_tier=tier)
        licences.append(flows.issue(user, party, route="ordinary", approval_class="encouraged"))
    person = IndividualFactory(grid=zone.grid1, name="张三丰")
    user, person = af.applicant_user(person)
    licences.append(flows.issue(user, person, route="commitment", approval_class="encouraged"))
    deliver()
    assert PoolEntry.objects.filter(status=PoolStatus.WAITING).count() == 4
    assert not VerificationTask.objects.exists()  # encouraged: sampled, not planned
    return licences


def replay(draw) -> str:
    out = StringIO()
    call_command("draw", "replay", str(draw.pk), stdout=out)
    return out.getvalue()


def test_draw_reproduces_and_tampering_is_detected(zone, directory):
    draw = services.make_draw(size=3, seed="seed-for-the-test-0001", user=zone.legal)
    assert draw.result["algorithm"] == drawing.ALGORITHM
    tasks = list(VerificationTask.objects.filter(draw=draw))
    assert len(tasks) == 3
    for task in tasks:
        inspectors = list(task.inspectors.filter(drawn=True).values_list("staff_id", flat=True))
        assert len(set(inspectors)) == 2  # at least two, distinct (行政处罚法 art 42)
        assert task.origin == TaskOrigin.DRAWN and task.method == "on_site"
        assert task.pool_entry.status == PoolStatus.DRAWN
    assert "reproduces exactly" in replay(draw)
    # the same seed and inputs give the same result, by the pure function too
    assert drawing.compute(draw.seed, draw.inputs) == draw.result

    original = draw.result
    tampered = {**original, "targets": [dict(t) for t in original["targets"]]}
    first = tampered["targets"][0]
    spare = next(
        s["staff_id"] for s in draw.inputs["inspectors"] if s["staff_id"] not in first["inspectors"]
    )
    first["inspectors"] = [spare, first["inspectors"][1]]
    Draw.objects.filter(pk=draw.pk).update(result=tampered)
    with pytest.raises(CommandError, match="does NOT reproduce"):
        replay(draw)

    # altering inputs and result together, digests included, still shows in the journal check
    inputs = dict(draw.inputs)
    inputs["targets"] = [dict(t, weight_units=1) for t in inputs["targets"]]
    forged = drawing.compute(draw.seed, inputs)
    Draw.objects.filter(pk=draw.pk).update(
        inputs=inputs,
        result=forged,
        inputs_sha256=drawing.digest(inputs),
        result_sha256=drawing.digest(forged),
    )
    with pytest.raises(CommandError):
        replay(draw)

    Draw.objects.filter(pk=draw.pk).update(
        inputs=draw.inputs,
        result=original,
        inputs_sha256=draw.inputs_sha256,
        result_sha256=draw.result_sha256,
    )
    assert "reproduces exactly" in replay(draw)


def test_weights_follow_credit_tier_and_risk():
    """Worse credit, higher chance: over many seeds a D-weighted target is drawn about eight
    times as often as an A-weighted one (4.0 vs 0.5)."""
    targets = [
        {"entry_id": i, "party_id": i, "licence_id": i, "weight_units": w, "recused": []}
        for i, w in enumerate([5_000] * 10 + [40_000] * 10)
    ]
    inputs = {
        "params": {"size": 1, "inspectors_per_target": 2},
        "targets": targets,
        "inspectors": [{"staff_id": 1}, {"staff_id": 2}],
    }
    hits = {"light": 0, "heavy": 0}
    for n in range(900):
        picked = drawing.compute(f"seed-{n}", inputs)["targets"][0]["entry_id"]
        hits["heavy" if picked >= 10 else "light"] += 1
    assert 6 < hits["heavy"] / hits["light"] < 11


def test_recusal_and_two_inspector_minimum(zone, directory):
    a, b, c = zone.inspectors1
    target_party = directory[0].holder
    # linked through the inspector's own login (PartyAccount) and through a registered recusal
    PartyAccount.objects.create(user=a, party=target_party)
    services.register_recusal(b.staff.pk, target_party.pk, reason="近亲属任职", user=zone.head)
    with pytest.raises(Forbidden):
        services.register_recusal(c.staff.pk, target_party.pk, reason="x", user=c)

    # squad 1 only: the target has a single eligible inspector left → refused, nothing changed
    with pytest.raises(DomainError, match="可抽取的执法人员只有1名"):
        services.make_draw(size=4, squad_ids=[zone.squad1.pk], user=zone.legal)
    assert not Draw.objects.exists()
    assert PoolEntry.objects.filter(status=PoolStatus.WAITING).count() == 4
    assert not VerificationTask.objects.exists()

    with pytest.raises(DomainError, match="至少抽取两名"):
        services.make_draw(size=1, inspectors_per_target=1, user=zone.legal)
    only = [zone.squad2.pk]
    zone.inspectors2[0].staff.enforcement_cert_no = ""
    zone.inspectors2[0].staff.save()
    with pytest.raises(DomainError, match="只有1名在岗的持证执法人员"):
        services.make_draw(size=1, squad_ids=only, user=zone.legal)
    with pytest.raises(DomainError, match="名录库"):
        services.make_draw(size=5, user=zone.legal)
    with pytest.raises(Forbidden):
        services.make_draw(size=1, user=a)  # an inspector does not draw inspectors

    draw = services.make_draw(size=4, user=zone.legal)
    recused = {a.staff.pk, b.staff.pk}
    for target in draw.result["targets"]:
        assert len(target["inspectors"]) >= 2
        if target["party_id"] == target_party.pk:
            assert not recused & set(target["inspectors"])
    entry = next(t for t in draw.inputs["targets"] if t["party_id"] == target_party.pk)
    assert set(entry["recused"]) == recused
    assert "reproduces exactly" in replay(draw)


def test_results_published_when_every_inspection_finished(zone, directory, client):
    draw = services.make_draw(size=4, seed="publish-me-please", user=zone.head)
    users = {u.staff.pk: u for u in zone.inspectors1 + zone.inspectors2}
    assert client.get(f"/verification/draws/{draw.pk}/").status_code == 404
    tasks = list(VerificationTask.objects.filter(draw=draw).order_by("pk"))
    for n, task in enumerate(tasks):
        lead, second = task.inspectors.filter(drawn=True).order_by("pk")
        outsider = next(u for pk, u in users.items() if pk not in (lead.staff_id, second.staff_id))
        with pytest.raises(Forbidden):
            services.record_finding(
                task.pk,
                outcome="compliant",
                facts="x",
                co_inspector_id=second.staff_id,
                user=outsider,
            )
        finding = services.record_finding(
            task.pk,
            outcome="compliant",
            facts="经营情况与许可一致",
            co_inspector_id=second.staff_id,
            user=users[lead.staff_id],
        )
        services.sign_finding(finding.pk, user=users[second.staff_id])
        draw.refresh_from_db()
        expected = DrawStatus.PUBLISHED if n == len(tasks) - 1 else DrawStatus.DRAWN
        assert draw.status == expected

    page = client.get("/verification/draws/").content.decode()
    assert draw.number in page
    detail = client.get(f"/verification/draws/{draw.pk}/").content.decode()
    for task in tasks:
        for inspector in task.inspectors.filter(drawn=True):
            assert inspector.staff.name in detail
        if task.party.kind == "enterprise":
            assert task.party.name in detail
    assert "张三丰" not in detail  # an individual is never named
    assert "符合承诺/许可条件" in detail
    assert draw.seed in detail
    status, body = client.get(f"/api/verification/public/draws/{draw.number}"), None
    assert status.status_code == 200
    body = status.json()
    assert len(body["targets"]) == 4 and "张三丰" not in str(body)


def test_draw_command_makes_and_replays_by_number(zone, directory):
    out = StringIO()
    with pytest.raises(CommandError, match="局领导或法制审核人员"):
        call_command("draw", "--as", zone.inspectors1[0].username, "make", "--size", "1")
    call_command("draw", "--as", zone.legal.username, "make", "--size", "2", stdout=out)
    draw = Draw.objects.get()
    assert draw.number in out.getvalue() and draw.created_by == zone.legal
    out = StringIO()
    call_command("draw", "replay", draw.number, stdout=out)
    assert "reproduces exactly" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("draw", "replay", "SJ1999000001")

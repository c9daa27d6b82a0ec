"""The oversight pages: my alerts, my team's alerts, the record page with its forms."""

import pytest

from shenguan.oversight.choices import AccountabilityStatus as S
from shenguan.oversight.models import AccountabilityRecord, Alert

pytestmark = pytest.mark.django_db


def test_home_shows_my_alerts_and_my_teams(overdue_record, client, make_user):
    d, app, record = overdue_record
    client.force_login(d.holder)
    html = client.get("/oversight/").content.decode()
    assert app.number in html and record.number in html
    client.force_login(d.head)
    html = client.get("/oversight/").content.decode()
    assert app.number in html and "提出问责" in html
    client.force_login(make_user("approval_officer", staff=True))
    html = client.get("/oversight/").content.decode()
    assert app.number not in html and record.number not in html


def test_review_and_appeal_through_the_pages(overdue_record, client):
    d, _app, record = overdue_record
    client.force_login(d.head)
    page = client.get(f"/oversight/accountability/{record.pk}/").content.decode()
    assert "/confirm/" in page and "/appeal/" not in page
    client.post(f"/oversight/accountability/{record.pk}/confirm/", {"note": "属实"})
    assert AccountabilityRecord.objects.get().status == S.CONFIRMED
    client.force_login(d.holder)
    page = client.get(f"/oversight/accountability/{record.pk}/").content.decode()
    assert "提出申诉" in page and "/confirm/" not in page
    client.post(f"/oversight/accountability/{record.pk}/appeal/", {"grounds": "  "})
    assert AccountabilityRecord.objects.get().status == S.CONFIRMED  # grounds required
    client.post(f"/oversight/accountability/{record.pk}/appeal/", {"grounds": "系统停机"})
    assert AccountabilityRecord.objects.get().status == S.APPEALED


def test_head_proposes_from_an_alert(overdue_record, client):
    d, _app, _record = overdue_record
    alert = Alert.objects.get(level="overdue")
    client.force_login(d.head)
    response = client.post(f"/oversight/alerts/{alert.pk}/propose/", {"reason": "屡次逾期"})
    assert response.status_code == 302
    assert AccountabilityRecord.objects.filter(origin="manual", alert=alert).count() == 1
    client.force_login(d.backup)  # sees the alert (escalated to them) but is not a head
    client.post(f"/oversight/alerts/{alert.pk}/propose/", {"reason": "x"})
    assert AccountabilityRecord.objects.filter(origin="manual").count() == 1


def test_seed_demo_is_idempotent(overdue_record, make_user):
    import random

    from shenguan.oversight.demo import seed_demo

    make_user("bureau_head", staff=True, username="head1")
    first = seed_demo(random.Random(1))
    assert first["reviewed"] == 1
    assert AccountabilityRecord.objects.get().status == S.CONFIRMED
    again = seed_demo(random.Random(1))
    assert again["reviewed"] == 0 and again["accountability"] == 0 and again["overdue"] == 0

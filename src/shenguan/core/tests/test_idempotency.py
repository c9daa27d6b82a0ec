import pytest
from django.test import RequestFactory

from shenguan.core import services
from shenguan.core.errors import Conflict
from shenguan.core.idempotency import idempotent
from shenguan.org.models import Department

pytestmark = pytest.mark.django_db


def create(request, name):
    return idempotent(
        request,
        {"name": name},
        lambda: (201, services.create_object(Department, {"code": name, "name": name})),
        serialize=lambda dep: {"id": dep.pk, "name": dep.name},
    )


def test_same_key_same_answer_once(make_user):
    user = make_user("administrator")
    rf = RequestFactory()
    req = rf.post("/api/x", headers={"Idempotency-Key": "k1"})
    req.user = user
    status, first = create(req, "幂等部门")
    status2, second = create(req, "幂等部门")
    assert status == status2 == 201
    assert second == {"id": first.pk, "name": "幂等部门"}
    assert Department.objects.filter(name="幂等部门").count() == 1


def test_key_reused_for_other_body_is_refused(make_user):
    user = make_user("administrator")
    req = RequestFactory().post("/api/x", headers={"Idempotency-Key": "k2"})
    req.user = user
    create(req, "甲部门")
    with pytest.raises(Conflict):
        create(req, "乙部门")
    assert not Department.objects.filter(name="乙部门").exists()


def test_without_key_every_call_runs(make_user):
    req = RequestFactory().post("/api/x")
    req.user = make_user("administrator")
    create(req, "无键部门1")
    create(req, "无键部门2")
    assert Department.objects.filter(name__startswith="无键").count() == 2

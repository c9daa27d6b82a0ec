"""The procedures and the powers each one serves (public, like the power list)."""

from django.http import HttpRequest
from ninja import Router, Schema

from shenguan.core.api import PUBLIC
from shenguan.core.errors import NotFound

from .services import catalogue

router = Router(tags=["enforcement: procedures"])


class ProcedurePowerRef(Schema):
    id: int
    code: str
    kind: str


class ProcedureGroupOut(Schema):
    acting_body: str
    power_count: int
    powers: list[ProcedurePowerRef]

    @staticmethod
    def resolve_powers(obj):
        return [m.power for m in obj.members.all()]


class ProcedureOut(Schema):
    code: str
    name: str
    enforcement_class: str
    description: str
    steps: list[dict]
    workflow: str
    power_count: int
    groups: list[ProcedureGroupOut]

    @staticmethod
    def resolve_groups(obj):
        return list(obj.groups.all())

    @staticmethod
    def resolve_power_count(obj):
        return sum(g.power_count for g in obj.groups.all())


@router.get(
    "/procedures", response=list[ProcedureOut], auth=PUBLIC, summary="Procedures and merged powers"
)
def list_procedures(request: HttpRequest):
    return list(catalogue())


@router.get("/procedures/{code}", response=ProcedureOut, auth=PUBLIC)
def get_procedure(request: HttpRequest, code: str):
    found = catalogue().filter(code=code).first()
    if found is None:
        raise NotFound(f"程序 {code} 不存在")
    return found

"""Read endpoints of the power and responsibility lists. Both lists are published (DOMAIN.md
§1), so anyone may read them, logged in or not. Powers are addressed by their code."""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from shenguan.core.api import PUBLIC
from shenguan.core.errors import NotFound
from shenguan.core.labels import choice_label
from shenguan.core.pagination import Pagination

from .choices import ApprovalClass, EnforcementClass, PowerKind
from .models import Power, PowerVersion, Responsibility

router = Router(tags=["catalog"])


def in_force(day: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}effective_from__lte": day}) & (
        Q(**{f"{prefix}effective_to__isnull": True}) | Q(**{f"{prefix}effective_to__gte": day})
    )


def _first(items):
    return items[0] if items else None


class DepartmentRef(Schema):
    id: int
    code: str
    name: str
    kind: str


class SectionRef(Schema):
    id: int
    code: str
    name: str


class VersionSummary(Schema):
    version: int
    effective_from: dt.date
    effective_to: dt.date | None
    name: str
    main_item: str
    approval_class: str
    enforcement_class: str
    statutory_limit_days: int | None
    promised_limit_days: int | None
    day_counting: str


class MaterialOut(Schema):
    seq: int
    name: str
    essential: bool
    deferrable: bool
    copies: int
    notes: str


class DutyOut(Schema):
    seq: int
    stage: str
    stage_name: str
    stage_label: str
    text: str

    @staticmethod
    def resolve_stage_name(obj) -> str:
        return choice_label(obj, "stage")


class VersionOut(VersionSummary):
    legal_basis: str
    acting_body: str
    handling_unit: str
    accountability_clause: str
    supervision_phone: str
    extra: dict
    generated_fields: list[str]
    content_hash: str
    materials: list[MaterialOut]
    duties: list[DutyOut]

    @staticmethod
    def resolve_materials(obj):
        return list(obj.materials.all())

    @staticmethod
    def resolve_duties(obj):
        return list(obj.duties.all())


class PowerListOut(Schema):
    code: str
    kind: str
    kind_label: str
    department: DepartmentRef
    section: SectionRef | None
    version: VersionSummary  # the version in force on the requested day

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return choice_label(obj, "kind")

    @staticmethod
    def resolve_version(obj):
        return _first(obj.in_force)


class PostOut(Schema):
    code: str
    name: str
    holder: str | None
    backup: str | None
    acting: str | None  # who acts now: the holder, or the backup while the holder is absent

    @staticmethod
    def resolve_holder(obj):
        return obj.holder.name if obj.holder_id else None

    @staticmethod
    def resolve_backup(obj):
        return obj.backup.name if obj.backup_id else None

    @staticmethod
    def resolve_acting(obj):
        staff = obj.acting_staff()
        return staff.name if staff else None


class ResponsibilityOut(Schema):
    section: SectionRef
    department: DepartmentRef
    post: PostOut | None

    @staticmethod
    def resolve_department(obj):
        return obj.section.department


class PowerDetailOut(PowerListOut):
    source: str
    version: VersionOut
    responsibility: ResponsibilityOut | None

    @staticmethod
    def resolve_responsibility(obj):
        return getattr(obj, "responsibility", None)


class ResponsibilityListOut(ResponsibilityOut):
    power_code: str
    power_name: str | None  # of the version in force today

    @staticmethod
    def resolve_power_code(obj):
        return obj.power.code

    @staticmethod
    def resolve_power_name(obj):
        version = _first(obj.power.in_force)
        return version.name if version else None


def _versions_in_force(day: dt.date, *, full: bool = False) -> Prefetch:
    qs = PowerVersion.objects.filter(in_force(day)).order_by("-version")
    if full:
        qs = qs.prefetch_related("materials", "duties")
    return Prefetch("versions", queryset=qs, to_attr="in_force")


@router.get(
    "/powers",
    response=list[PowerListOut],
    auth=PUBLIC,
    summary="The power list (version in force on a day, default today)",
)
@paginate(Pagination)
def list_powers(
    request: HttpRequest,
    kind: PowerKind | None = None,
    department_id: int | None = None,
    approval_class: ApprovalClass | None = None,
    enforcement_class: EnforcementClass | None = None,
    q: str = "",
    on: dt.date | None = None,
):
    day = on or timezone.localdate()
    current = (
        PowerVersion.objects.filter(in_force(day), power=OuterRef("pk"))
        .order_by("-version")
        .values("pk")[:1]
    )
    qs = (
        Power.objects.restrict(request.user, "view")
        .annotate(version_id=Subquery(current))
        .filter(version_id__isnull=False)
        .select_related("department", "section")
        .prefetch_related(_versions_in_force(day))
        .order_by("code")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if department_id:
        qs = qs.filter(department_id=department_id)
    version_filter = Q()
    if approval_class:
        version_filter &= Q(approval_class=approval_class)
    if enforcement_class:
        version_filter &= Q(enforcement_class=enforcement_class)
    if version_filter:
        qs = qs.filter(
            Exists(PowerVersion.objects.filter(version_filter, pk=OuterRef("version_id")))
        )
    q = q.strip()
    if q:
        named = PowerVersion.objects.filter(pk=OuterRef("version_id"), name__icontains=q)
        qs = qs.filter(Q(code__icontains=q) | Exists(named))
    return qs


def _power(request: HttpRequest, code: str):
    return get_object_or_404(
        Power.objects.restrict(request.user, "view").select_related("department", "section"),
        code=code,
    )


@router.get(
    "/powers/{code}",
    response=PowerDetailOut,
    auth=PUBLIC,
    summary="One power: the version in force (materials, duties) and who answers for it",
)
def get_power(request: HttpRequest, code: str, on: dt.date | None = None):
    day = on or timezone.localdate()
    qs = (
        Power.objects.restrict(request.user, "view")
        .select_related(
            "department",
            "section",
            "responsibility__section__department",
            "responsibility__post__holder",
            "responsibility__post__backup",
        )
        .prefetch_related(_versions_in_force(day, full=True))
    )
    power = get_object_or_404(qs, code=code)
    if not power.in_force:
        raise NotFound(f"power {code} has no version in force on {day.isoformat()}")
    return power


@router.get(
    "/powers/{code}/versions",
    response=list[VersionOut],
    auth=PUBLIC,
    summary="Every version of a power, newest first",
)
def list_versions(request: HttpRequest, code: str):
    power = _power(request, code)
    return list(
        PowerVersion.objects.restrict(request.user, "view")
        .filter(power=power)
        .prefetch_related("materials", "duties")
        .order_by("-version")
    )


@router.get(
    "/responsibilities",
    response=list[ResponsibilityListOut],
    auth=PUBLIC,
    summary="The responsibility list: section and A/B post answering for each power",
)
@paginate(Pagination)
def list_responsibilities(
    request: HttpRequest,
    department_id: int | None = None,
    section_id: int | None = None,
    power_code: str = "",
):
    day = timezone.localdate()
    qs = (
        Responsibility.objects.restrict(request.user, "view")
        .select_related("power", "section__department", "post__holder", "post__backup")
        .prefetch_related(
            Prefetch(
                "power__versions",
                queryset=PowerVersion.objects.filter(in_force(day)).order_by("-version"),
                to_attr="in_force",
            )
        )
        .order_by("power__code")
    )
    if department_id:
        qs = qs.filter(section__department_id=department_id)
    if section_id:
        qs = qs.filter(section_id=section_id)
    if power_code:
        qs = qs.filter(power__code=power_code)
    return qs

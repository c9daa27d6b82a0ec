"""Read endpoints of the organisation: departments, sections, staff, posts with their A/B roles
and the person acting now, grids with their GeoJSON boundary. Visible to staff members
(``restrict``: others get empty lists and 404); changes go through ``org.services`` (the admin
site, commands, the seeder)."""

import datetime as dt

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from shenguan.core.errors import NotFound
from shenguan.core.pagination import Pagination

from .choices import DepartmentKind, GridKind, SectionKind
from .models import Department, Grid, Post, Section, Staff

router = Router(tags=["org"])


# --- schemas ----------------------------------------------------------------------------------


class StaffRef(Schema):
    id: int
    name: str
    phone: str


class SectionRef(Schema):
    id: int
    code: str
    name: str


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    kind: DepartmentKind
    credit_code: str
    phone: str
    is_active: bool


class SectionOut(Schema):
    id: int
    department_id: int
    department_name: str = Field(alias="department.name")
    code: str
    name: str
    kind: SectionKind
    head: StaffRef | None


class DepartmentDetailOut(DepartmentOut):
    sections: list[SectionOut]


class StaffOut(Schema):
    id: int
    employee_no: str
    name: str
    department_id: int
    department_name: str = Field(alias="department.name")
    section_id: int | None
    section_name: str | None
    title: str
    phone: str
    is_active: bool
    is_absent: bool
    absent_until: dt.date | None
    present: bool = Field(description="at work today (not absent, or absent until a past day)")
    certified: bool = Field(description="holds an enforcement certificate valid today")
    username: str | None

    @staticmethod
    def resolve_section_name(obj: Staff) -> str | None:
        return obj.section.name if obj.section_id else None

    @staticmethod
    def resolve_present(obj: Staff) -> bool:
        return obj.is_present()

    @staticmethod
    def resolve_certified(obj: Staff) -> bool:
        return obj.is_certified

    @staticmethod
    def resolve_username(obj: Staff) -> str | None:
        return obj.user.get_username() if obj.user_id else None


class PostOut(Schema):
    id: int
    code: str
    name: str
    duties: str
    section: SectionRef
    holder: StaffRef | None = Field(description="A角（责任人）")
    backup: StaffRef | None = Field(description="B角（备岗人）")
    acting: StaffRef | None = Field(
        description="who acts for the post today: the holder, or the backup while the holder "
        "is away; null if both are away"
    )
    holder_present: bool

    @staticmethod
    def resolve_acting(obj: Post):
        return obj.acting_staff()

    @staticmethod
    def resolve_holder_present(obj: Post) -> bool:
        return obj.holder is not None and obj.holder.is_present()


class StaffDetailOut(StaffOut):
    held_posts: list[PostOut]
    backup_posts: list[PostOut]
    acting_post_ids: list[int] = Field(description="posts this person acts for today")

    @staticmethod
    def resolve_acting_post_ids(obj: Staff) -> list[int]:
        return list(Post.objects.acted_by(obj).order_by("pk").values_list("pk", flat=True))


class GridOut(Schema):
    id: int
    code: str
    name: str
    kind: GridKind
    area: str
    boundary: dict | None = Field(description="GeoJSON Polygon, MultiPolygon or Feature")
    worker: StaffRef | None = Field(description="网格员")
    worker_phone: str
    squad: SectionRef | None = Field(description="责任执法中队")
    party_count: int | None = None


# --- helpers ----------------------------------------------------------------------------------


def _get(qs, pk: int, what: str):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{what} {pk} not found")
    return obj


def _departments(request):
    return Department.objects.restrict(request.user, "view")


def _sections(request):
    return Section.objects.restrict(request.user, "view").select_related("department", "head")


def _staff(request):
    return Staff.objects.restrict(request.user, "view").select_related(
        "department", "section", "user"
    )


def _posts(request):
    return Post.objects.restrict(request.user, "view").select_related("section", "holder", "backup")


def _grids(request):
    return Grid.objects.restrict(request.user, "view").select_related("worker", "squad")


# --- departments and sections -----------------------------------------------------------------


@router.get("/departments", response=list[DepartmentOut], summary="Departments")
@paginate(Pagination)
def list_departments(request: HttpRequest, kind: DepartmentKind | None = None, q: str = ""):
    qs = _departments(request)
    if kind:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(code__icontains=q.strip()))
    return qs.order_by("code")


@router.get(
    "/departments/{int:department_id}",
    response=DepartmentDetailOut,
    summary="A department with its sections",
)
def get_department(request: HttpRequest, department_id: int):
    from django.db.models import Prefetch

    qs = _departments(request).prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.select_related("department", "head").order_by("code"),
        )
    )
    return _get(qs, department_id, "department")


@router.get("/sections", response=list[SectionOut], summary="Sections (科室) and squads")
@paginate(Pagination)
def list_sections(
    request: HttpRequest, department_id: int | None = None, kind: SectionKind | None = None
):
    qs = _sections(request)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("code")


@router.get("/sections/{int:section_id}", response=SectionOut, summary="A section")
def get_section(request: HttpRequest, section_id: int):
    return _get(_sections(request), section_id, "section")


# --- staff ------------------------------------------------------------------------------------


@router.get("/staff", response=list[StaffOut], summary="Staff")
@paginate(Pagination)
def list_staff(
    request: HttpRequest,
    department_id: int | None = None,
    section_id: int | None = None,
    q: str = "",
    active: bool | None = None,
):
    qs = _staff(request)
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    if section_id is not None:
        qs = qs.filter(section_id=section_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(employee_no__icontains=q.strip()))
    return qs.order_by("employee_no")


@router.get(
    "/staff/{int:staff_id}", response=StaffDetailOut, summary="A staff member and their posts"
)
def get_staff(request: HttpRequest, staff_id: int):
    from django.db.models import Prefetch

    posts = Post.objects.select_related("section", "holder", "backup").order_by("code")
    qs = _staff(request).prefetch_related(
        Prefetch("held_posts", queryset=posts), Prefetch("backup_posts", queryset=posts)
    )
    return _get(qs, staff_id, "staff member")


# --- posts ------------------------------------------------------------------------------------


@router.get("/posts", response=list[PostOut], summary="Posts with their A/B roles")
@paginate(Pagination)
def list_posts(
    request: HttpRequest,
    section_id: int | None = None,
    staff_id: int | None = Query(None, description="posts held or backed up by this person"),
    uncovered: bool = Query(False, description="only posts whose holder and backup are away"),
):
    qs = _posts(request)
    if section_id is not None:
        qs = qs.filter(section_id=section_id)
    if staff_id is not None:
        qs = qs.filter(Q(holder_id=staff_id) | Q(backup_id=staff_id))
    if uncovered:
        ids = [p.pk for p in qs if p.acting_staff() is None]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("code")


@router.get("/posts/{int:post_id}", response=PostOut, summary="A post")
def get_post(request: HttpRequest, post_id: int):
    return _get(_posts(request), post_id, "post")


# --- grids ------------------------------------------------------------------------------------


@router.get("/grids", response=list[GridOut], summary="Grids with their boundaries")
@paginate(Pagination)
def list_grids(
    request: HttpRequest,
    kind: GridKind | None = None,
    q: str = "",
    worker_id: int | None = None,
):
    qs = _grids(request)
    if kind:
        qs = qs.filter(kind=kind)
    if worker_id is not None:
        qs = qs.filter(worker_id=worker_id)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(code__icontains=q.strip()))
    return qs.order_by("code")


@router.get("/grids/{int:grid_id}", response=GridOut, summary="A grid")
def get_grid(request: HttpRequest, grid_id: int):
    grid = _get(_grids(request), grid_id, "grid")
    grid.party_count = grid.parties.count()
    return grid


@router.get(
    "/grids.geojson",
    response=dict,
    summary="Every visible grid as one GeoJSON FeatureCollection (for maps)",
)
def grids_geojson(request: HttpRequest):
    features = []
    for grid in _grids(request).order_by("code"):
        geometry = grid.boundary
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        features.append(
            {
                "type": "Feature",
                "id": grid.pk,
                "geometry": geometry,
                "properties": {
                    "code": grid.code,
                    "name": grid.name,
                    "kind": grid.kind,
                    "worker": grid.worker.name if grid.worker_id else None,
                    "worker_phone": grid.worker_phone,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}

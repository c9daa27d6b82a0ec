"""The fixture world of the permission matrix: one of everything on "our" side (side A: the
approval item's section, squad 1, grid 1, applicant 1's enterprise) and the same on the other
side (side B: squad 2, grid 2, applicant 2's enterprise), and one login per role that belongs to
side A. Built through the real services and factories once per test module."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from shenguan.approvals import factories as af
from shenguan.approvals import services as approvals
from shenguan.approvals.models import Licence
from shenguan.core.api_clients import issue_token
from shenguan.core.factories import make_user
from shenguan.core.permissions import Role, forget_scope
from shenguan.enforcement.cases import services as cases
from shenguan.enforcement.common.models import Document
from shenguan.enforcement.evidence.models import Evidence
from shenguan.enforcement.factories import bureau
from shenguan.enforcement.inspections import services as inspections
from shenguan.org.choices import DepartmentKind
from shenguan.org.factories import DepartmentFactory, PostFactory, SectionFactory
from shenguan.org.models import Grid, Staff
from shenguan.parties.models import Address, Contact

# A Monday of a year whose holidays are known: everything in the world happens "today".
TODAY = dt.date(2026, 3, 2)
CHINA = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=CHINA)

ROLES = [
    "window_clerk",
    "approval_officer",
    "bureau_head",
    "enforcement_officer",
    "legal_reviewer",
    "department_supervisor",
    "command_centre",
    "grid_worker",
    "applicant",
    "anonymous",
    "machine_client",
]


def _png() -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def _issue_licence(item, clerk, user, party) -> Licence:
    app = approvals.create_application(
        power_id=item.power.pk,
        applicant_id=party.pk,
        channel="online",
        route="commitment",
        user=user,
    )
    af.provide_all(app, item.materials, user)
    approvals.sign_commitment(app.pk, signer_name="王五", user=user)
    approvals.submit(app.pk, user=user)
    approvals.accept(app.pk, user=clerk)
    approvals.approve(app.pk, user=item.holder_user, issue_now=True)
    return Licence.objects.get(application=app)


def _case(b, officers, party, power, squad):
    staff_ids = [Staff.objects.get(user=u).pk for u in officers]
    lead = cases.receive_lead(
        "complaint",
        description="群众投诉：无证经营",
        party_id=party.pk,
        squad_id=squad.pk,
        user=officers[0],
    )
    case = cases.open_case(
        lead.pk,
        power_id=power.pk,
        title="未取得许可从事经营",
        officer_ids=staff_ids,
        user=officers[0],
    )
    cases.start_investigation(case.pk, officer_ids=staff_ids, user=officers[0])
    cases.add_evidence(
        case.pk,
        content=_png(),
        filename="现场.png",
        place="葛店社区创业路8号",
        officer_ids=staff_ids,
        user=officers[0],
    )
    spare = cases.receive_lead(
        "complaint",
        description="群众投诉：夜间施工",
        party_id=party.pk,
        squad_id=squad.pk,
        user=officers[0],
    )
    return lead, case, spare


def build() -> SimpleNamespace:
    b = bureau("PM")
    # grid 1 (squad 1) has a grid worker of its own
    grid_worker = make_user(Role.GRID_WORKER, staff=True, username="pm_grid1")
    Grid.objects.filter(pk=b.grid.pk).update(worker=Staff.objects.get(user=grid_worker))
    other_grid = Grid.objects.get(pk=b.far_company.grid_id)
    # approvals: one item, two applicants (1 = the bureau's company in grid 1, 2 = grid 2)
    item = af.approval_item()
    clerk = af.clerk_user()
    head = b.head  # bureau heads see across the zone
    applicant, party = af.applicant_user(b.company)
    applicant2, party2 = af.applicant_user(b.far_company)
    app_a = approvals.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", user=applicant
    )
    app_b = approvals.create_application(
        power_id=item.power.pk, applicant_id=party2.pk, channel="online", user=applicant2
    )
    lic_a = _issue_licence(item, clerk, applicant, party)
    lic_b = _issue_licence(item, clerk, applicant2, party2)
    # business departments: a supervisor in department 1; the machine client's service user
    # is a supervisor of department 2 (another department's system)
    dep1 = DepartmentFactory(code="PMBIZ1", name="区市监局", kind=DepartmentKind.BUSINESS)
    dep2 = DepartmentFactory(code="PMBIZ2", name="区住建局", kind=DepartmentKind.BUSINESS)
    supervisor = make_user(
        Role.DEPARTMENT_SUPERVISOR, section=SectionFactory(department=dep1), username="pm_sup1"
    )
    service_user = make_user(
        Role.DEPARTMENT_SUPERVISOR, section=SectionFactory(department=dep2), username="pm_svc"
    )
    _client, token = issue_token("permission matrix client", service_user)
    # enforcement: a case, its lead and evidence, a spare lead and an inspection per squad
    lead_a, case_a, spare_a = _case(
        b, [b.officer1, b.officer2], b.company, b.penalty_power, b.squad
    )
    lead_b, case_b, spare_b = _case(
        b, [b.other_officer, b.other_officer2], b.far_company, b.penalty_power, b.other_squad
    )
    insp = {}
    for side, squad, party_, officers in (
        ("own", b.squad, b.company, [b.officer1, b.officer2]),
        ("other", b.other_squad, b.far_company, [b.other_officer, b.other_officer2]),
    ):
        insp[side] = inspections.create_inspection(
            source="plan",
            subject="日常监督检查",
            squad_id=squad.pk,
            party_id=party_.pk,
            power_id=b.inspection_power.pk,
            officer_ids=[Staff.objects.get(user=u).pk for u in officers],
            user=b.head,
        )
    from shenguan.parties import services as party_services

    for p in (party, party2):
        party_services.add_contact(p.pk, name="经办人", phone="13507110000")
        party_services.add_address(p.pk, text="葛店开发区创业大道1号", grid_id=p.grid_id)
    other_post = PostFactory(section=b.other_squad, holder=Staff.objects.get(user=b.other_officer))
    # grid events: one reported by grid 1's worker, one in grid 2 (its worker, by the system);
    # unlicensed operation goes to each grid's squad
    from shenguan.grid import services as grid_services
    from shenguan.grid.models import EventPhoto

    if other_grid.worker_id is None:
        Grid.objects.filter(pk=other_grid.pk).update(worker=Staff.objects.get(user=b.other_officer))
        other_grid.refresh_from_db()
    # department supervision: both business departments supervise the item; each raises an
    # objection on its side's application (the machine client is department 2's system)
    from shenguan.core import services as core_services
    from shenguan.supervision import services as supervision
    from shenguan.supervision.models import SupervisedPower

    for dep in (dep1, dep2):
        core_services.create_object(SupervisedPower, {"department": dep, "power": item.power})
    objections = [
        supervision.raise_objection(
            lic.application_id,
            user=who,
            grounds="未依法核查现场",
            legal_basis="《行政许可法》第三十四条",
            requested_action="reconsider",
        )
        for lic, who in ((lic_a, supervisor), (lic_b, service_user))
    ]
    # efficiency accountability (效能问责) proposed by the bureau head against an officer of
    # each squad
    from shenguan.oversight import services as oversight

    records = [
        oversight.propose(
            Staff.objects.get(user=who).pk, reason="超期未办结，未说明理由", user=b.head
        )
        for who in (b.officer1, b.other_officer)
    ]
    photo = [(_png(), "现场.png")]
    event_a = grid_services.report_event(
        grid_id=b.grid.pk,
        category="unlicensed_operation",
        title="无证经营",
        place="创业路8号",
        photos=photo,
        user=grid_worker,
    )
    event_b = grid_services.report_event(
        grid_id=other_grid.pk,
        category="unlicensed_operation",
        title="无证经营",
        place="光谷大道1号",
        photos=photo,
    )
    for user in (b.officer1, b.legal, b.head, b.command, grid_worker, applicant, applicant2):
        forget_scope(user)

    def first(qs):
        obj = qs.order_by("pk").first()
        return obj.pk if obj is not None else 999_999

    users = {
        "window_clerk": clerk,
        "approval_officer": item.holder_user,
        "bureau_head": head,
        "enforcement_officer": b.officer1,
        "legal_reviewer": b.legal,
        "department_supervisor": supervisor,
        "command_centre": b.command,
        "grid_worker": grid_worker,
        "applicant": applicant,
        "anonymous": None,
        "machine_client": service_user,
    }
    # path parameter -> (own side value, other side value)
    params = {
        "party_id": (party.pk, party2.pk),
        "contact_id": (
            first(Contact.objects.filter(party=party)),
            first(Contact.objects.filter(party=party2)),
        ),
        "address_id": (
            first(Address.objects.filter(party=party)),
            first(Address.objects.filter(party=party2)),
        ),
        # the issued applications: materials uploaded, a notification commitment signed
        "application_id": (lic_a.application_id, lic_b.application_id),
        "material_id": (item.essential[0].pk, item.essential[0].pk),
        "licence_id": (lic_a.pk, lic_b.pk),
        "verification_number": (lic_a.verification_number, lic_b.verification_number),
        "case_id": (case_a.pk, case_b.pk),
        "lead_id": (spare_a.pk, spare_b.pk),
        "inspection_id": (insp["own"].pk, insp["other"].pk),
        "evidence_id": (
            first(Evidence.objects.filter(case=case_a)),
            first(Evidence.objects.filter(case=case_b)),
        ),
        "document_id": (
            first(Document.objects.filter(case=case_a)),
            first(Document.objects.filter(case=case_b)),
        ),
        "department_id": (item.post.section.department_id, dep2.pk),
        "section_id": (b.squad.pk, b.other_squad.pk),
        "staff_id": (
            Staff.objects.get(user=b.officer1).pk,
            Staff.objects.get(user=b.other_officer).pk,
        ),
        "post_id": (item.post.pk, other_post.pk),
        "grid_id": (b.grid.pk, other_grid.pk),
        "code": (b.penalty_power.code, b.inspection_power.code),
        # the approval item's code (factory sequences differ with the tests run before)
        "approval_code": (item.power.code, item.power.code),
        "event_id": (event_a.pk, event_b.pk),
        "grid_event_id": (event_a.pk, event_b.pk),
        "objection_id": (objections[0].pk, objections[1].pk),
        "record_id": (records[0].pk, records[1].pk),
        "accountability_id": (records[0].pk, records[1].pk),
        "photo_id": (
            first(EventPhoto.objects.filter(event=event_a)),
            first(EventPhoto.objects.filter(event=event_b)),
        ),
    }
    return SimpleNamespace(
        b=b,
        users=users,
        token=token,
        params=params,
        item=item,
        leads=(lead_a, lead_b),
        cases=(case_a, case_b),
        licences=(lic_a, lic_b),
        applications=(app_a, app_b),
        parties=(party, party2),
    )

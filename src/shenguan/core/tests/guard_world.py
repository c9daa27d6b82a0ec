"""Rows for the query-count guards (``test_query_guards.py``), added on top of the permission
matrix's world (``perm_world.py``, left as it is): at least three rows for every paginated list
endpoint, each row tied to different related objects (other squads, grids, parties, staff,
items) so that a related object read once per row shows up as extra queries.

Everything is made through the services (the outbox is delivered by the real worker, so pushes,
tasks, the sampling directory and publications come from their consumers); factories only make
people, parties and approval items. The world's clock stands at ``perm_world.NOW``; the few
steps that need another day travel there and back."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import time_machine

from shenguan.approvals import factories as af
from shenguan.approvals import services as approvals
from shenguan.approvals.models import Application, Licence
from shenguan.catalog import services as catalog
from shenguan.core.factories import make_user
from shenguan.core.permissions import Role, forget_scope
from shenguan.core.worker import Worker
from shenguan.credit import services as credit
from shenguan.enforcement.cases import services as cases
from shenguan.enforcement.coercion import services as coercion
from shenguan.enforcement.discretion import services as discretion
from shenguan.enforcement.discretion import testing as discretion_data
from shenguan.enforcement.inspections.models import Inspection
from shenguan.enforcement.legal import services as legal
from shenguan.enforcement.legal import sweep as legal_sweep
from shenguan.grid import services as grid_services
from shenguan.org.factories import GridFactory, PostFactory
from shenguan.org.models import Staff
from shenguan.oversight import services as oversight
from shenguan.parties.factories import EnterpriseFactory, IndividualFactory
from shenguan.parties.models import PartyAccount
from shenguan.verification import services as verification
from shenguan.verification.choices import TaskStatus
from shenguan.verification.models import VerificationTask

from . import perm_world

# the name fragment every enterprise of the world carries (``/api/credit/public?q=``)
PUBLIC_QUERY = "鄂州葛店"


def _at(day: dt.date, hour: int = 9):
    """Travel to ``day`` (China time) for a ``with`` block; back to the world's clock after."""
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=perm_world.CHINA), tick=False
    )


def _staff(user) -> Staff:
    return Staff.objects.get(user=user)


def _account(party):
    """The party's portal login (a new one if it has none)."""
    found = PartyAccount.objects.filter(party=party).select_related("user").first()
    return found.user if found is not None else af.applicant_user(party)[0]


def _deliver() -> int:
    return Worker().deliver_pending()


def _accepted(item, clerk, user, party, route: str = "commitment") -> Application:
    app = approvals.create_application(
        power_id=item.power.pk, applicant_id=party.pk, channel="online", route=route, user=user
    )
    af.provide_all(app, item.materials, user)
    if route == "commitment":
        approvals.sign_commitment(app.pk, signer_name="王五", user=user)
    approvals.submit(app.pk, user=user)
    approvals.accept(app.pk, user=clerk)
    return Application.objects.get(pk=app.pk)


def _licence(item, clerk, user, party, route: str = "commitment") -> Licence:
    app = _accepted(item, clerk, user, party, route)
    approvals.approve(app.pk, user=item.holder_user, issue_now=True)
    return Licence.objects.get(application=app)


def _discretion_tables(tmp: Path) -> list[str]:
    """Three small benchmark tables (slices of the real Guangdong table and its no-penalty
    list), each imported as a table of its own name."""
    entries = discretion_data.load_entries()
    with discretion_data.data_path(discretion_data.NO_PENALTY_CSV).open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rules = list(reader)
    names = []
    for n in range(3):
        name = f"查询守卫测试裁量基准{n + 1}"
        bench = tmp / f"guard_{n}.json"
        bench.write_text(
            json.dumps(entries[n * 3 : n * 3 + 3], ensure_ascii=False), encoding="utf-8"
        )
        rule_file = tmp / f"guard_{n}.csv"
        with rule_file.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(rules[n * 3 : n * 3 + 3])
        discretion.import_files(
            [bench, rule_file],
            table_name=name,
            issuing_document=f"测试文〔2022〕{n + 1}号",
            effective_from=dt.date(2022, 1, 1),
        )
        names.append(name)
    return names


def _penalty_case(b, officers, party, squad, title: str):
    """A case of ``squad`` brought to legal review (large fine, rights waived)."""
    ids = [_staff(u).pk for u in officers]
    who = officers[0]
    lead = cases.receive_lead(
        "complaint",
        description=f"群众投诉：{title}",
        party_id=party.pk,
        squad_id=squad.pk,
        user=who,
    )
    case = cases.open_case(
        lead.pk, power_id=b.penalty_power.pk, title=title, officer_ids=ids, user=who
    )
    cases.start_investigation(case.pk, officer_ids=ids, user=who)
    cases.add_evidence(
        case.pk,
        content=perm_world._png(),
        filename="现场.png",
        place="葛店开发区",
        officer_ids=ids,
        user=who,
    )
    cases.propose(
        case.pk,
        facts=f"经查，当事人{title}",
        violated_provision="《中华人民共和国食品安全法》第三十五条",
        penalty_basis="《中华人民共和国食品安全法》第一百二十二条",
        sanctions=["fine"],
        fine_amount="130000",
        no_benchmark_reason="本案适用的裁量基准尚未发布",
        user=who,
    )
    cases.notify(case.pk, officer_ids=ids, user=who)
    cases.waive_rights(case.pk, note="当事人书面声明放弃陈述申辩和听证", user=who)
    cases.submit_for_review(case.pk, note="请审核", user=who)
    case.refresh_from_db()
    return case


def _finding(task: VerificationTask, outcome: str, lead, second, facts: str):
    """``lead`` records the finding, ``second`` signs it (users)."""
    finding = verification.record_finding(
        task.pk, outcome=outcome, facts=facts, co_inspector_id=_staff(second).pk, user=lead
    )
    verification.sign_finding(finding.pk, user=second)
    return finding


def build(w, tmp: Path) -> SimpleNamespace:
    b, item = w.b, w.item
    clerk, head = w.users["window_clerk"], b.head
    grid_worker = w.users["grid_worker"]
    party, party2 = w.parties
    applicant, applicant2 = w.users["applicant"], _account(party2)

    # --- the catalogue: the bureau's powers answered for by a post of each squad -------------
    own_post = PostFactory(section=b.squad, holder=_staff(b.officer1), backup=_staff(b.officer2))
    other_post_id = w.params["post_id"][1]
    catalog.assign_responsibility(b.penalty_power.pk, section_id=b.squad.pk, post_id=own_post.pk)
    catalog.assign_responsibility(
        b.inspection_power.pk, section_id=b.other_squad.pk, post_id=other_post_id
    )

    # --- more applicants and licences --------------------------------------------------------
    # a third cautious item licence (planned verification), in grid 1
    applicant3, party3 = af.applicant_user(EnterpriseFactory(grid=b.grid))
    lic3 = _licence(item, clerk, applicant3, party3)
    # encouraged items are sampled: six licences in the directory, over both grids and an
    # individual, of two encouraged items with their own sections and posts
    sampled = [af.approval_item(approval_class="encouraged") for _ in range(2)]
    other_grid = b.far_company.grid
    directory = []
    for n, grid in enumerate([b.grid, other_grid, b.grid, other_grid, b.grid, other_grid]):
        holder = EnterpriseFactory(grid=grid) if n != 4 else IndividualFactory(grid=grid)
        user, holder = af.applicant_user(holder)
        directory.append(_licence(sampled[n % 2], clerk, user, holder, route="ordinary"))
    # the outbox: pushes, planned tasks, directory entries, publications, credit events
    _deliver()

    # --- verification: three published draws of one target each -----------------------------
    draws = []
    for n in range(3):
        draw = verification.make_draw(size=1, seed=f"query-guard-draw-{n}", user=head)
        for task in VerificationTask.objects.filter(draw=draw):
            first, second = (
                i.staff.user for i in task.inspectors.filter(drawn=True).order_by("pk")
            )
            _finding(task, "compliant", first, second, "经营情况与许可一致")
        draw.refresh_from_db()
        assert draw.status == "published", draw.status
        draws.append(draw)
    # falsified commitments on the three planned tasks: leads, credit events, the blacklist
    planned = VerificationTask.objects.filter(
        licence__in=[*w.licences, lic3], status=TaskStatus.OPEN
    )
    pairs = {
        b.squad.pk: (b.officer1, b.officer2),
        b.other_squad.pk: (b.other_officer, b.other_officer2),
    }
    assert planned.count() == 3, list(planned)
    for n, task in enumerate(planned.order_by("pk")):
        first, second = pairs[task.squad_id]
        if n == 2:  # the other officer of the pair records this one
            second, first = first, second
        _finding(task, "falsified", first, second, "现场核查发现承诺内容不实")

    # recusals of inspectors of both squads from parties of both grids
    recusals = [
        verification.register_recusal(_staff(officer).pk, p.pk, reason=reason, user=who)
        for officer, p, reason, who in (
            (b.officer3, party, "与当事人法定代表人系近亲属", head),
            (b.other_officer2, party2, "曾在当事人处任职", b.legal),
            (b.officer2, b.person, "与当事人有经济往来", head),
        )
    ]

    # --- credit: events published months ago, repairable now ---------------------------------
    broken = []
    with _at(dt.date(2025, 11, 3)):
        for p in (party, party2, party3):
            broken.append(
                credit.record_event(
                    p.pk,
                    "commitment_broken",
                    source="verification",
                    description="承诺事项未按期履行",
                )
            )
    credit.apply_for_repair(
        party.pk, event_id=broken[0].pk, reasons="已整改到位", evidence="整改报告", user=applicant
    )
    credit.apply_for_repair(party2.pk, event_id=broken[1].pk, reasons="已履行承诺", user=applicant2)
    watch = party3.credit_list_entries.filter(list_kind="watch", exited_on=None).first()
    credit.apply_for_repair(
        party3.pk, list_entry_id=watch.pk, reasons="已纠正失信行为", user=applicant3
    )

    # --- discretion benchmark tables -------------------------------------------------------
    tables = _discretion_tables(tmp)

    # --- penalty cases in legal review, guidance, coercive measures --------------------------
    review = [
        _penalty_case(b, [b.officer1, b.officer2], b.person, b.squad, "无证从事食品经营"),
        _penalty_case(b, [b.officer2, b.officer3], party3, b.squad, "超范围经营"),
        _penalty_case(
            b, [b.other_officer, b.other_officer2], b.far_company, b.other_squad, "夜间违规施工"
        ),
    ]
    own_insp = Inspection.objects.filter(squad=b.squad).order_by("pk").first()
    other_insp = Inspection.objects.filter(squad=b.other_squad).order_by("pk").first()
    legal.send_guidance(
        recipient_id=_staff(b.officer1).pk, text="注意固定证据", case_id=review[0].pk, user=b.legal
    )
    legal.send_guidance(
        recipient_id=_staff(b.other_officer).pk,
        text="检查时出示执法证件",
        inspection_id=other_insp.pk,
        user=b.legal2,
    )
    legal.send_guidance(recipient_id=_staff(b.officer3).pk, text="按时报送台账", user=head)
    item_list = [{"name": "食品加工设备", "quantity": "2", "unit": "台"}]
    measures = [
        coercion.request_measure(
            kind="sealing",
            party_id=b.person.pk,
            place="葛店社区创业路8号",
            items=item_list,
            reason="涉嫌无证经营",
            basis="《中华人民共和国食品安全法》第一百一十条",
            officer_ids=[_staff(b.officer1).pk, _staff(b.officer2).pk],
            case_id=review[0].pk,
            user=b.officer1,
        ),
        coercion.request_measure(
            kind="seizure",
            party_id=b.far_company.pk,
            place="工业园路1号",
            items=[{"name": "施工机械", "quantity": "1", "unit": "台"}],
            reason="涉嫌违规施工",
            basis="《中华人民共和国行政强制法》第九条",
            officer_ids=[_staff(b.other_officer).pk, _staff(b.other_officer2).pk],
            case_id=review[2].pk,
            user=b.other_officer,
        ),
        coercion.take_emergency_measure(
            kind="seizure",
            party_id=b.company.pk,
            place="创业大道1号",
            items=[{"name": "过期食品", "quantity": "30", "unit": "箱"}],
            reason="过期食品可能流入市场",
            basis="《中华人民共和国食品安全法》第一百一十条",
            officer_ids=[_staff(b.officer2).pk, _staff(b.officer3).pk],
            inspection_id=own_insp.pk,
            user=b.officer2,
        ),
    ]
    for m in measures[:2]:
        coercion.approve_measure(m.pk, user=head)
    # two days later the legal section's sweep finds measures in force without evidence
    with _at(perm_world.TODAY + dt.timedelta(days=2)):
        legal_sweep.sweep()

    # --- grid: applications filed on behalf of parties of two grids ---------------------------
    worker3 = make_user(Role.GRID_WORKER, staff=True, username="guard_grid3")
    grid3 = GridFactory(code="PMG-3", name="查询守卫网格", squad=b.other_squad)
    grid3.worker = _staff(worker3)
    grid3.save(update_fields=["worker"])
    forget_scope(worker3)
    resident3 = IndividualFactory(grid=grid3)
    filings = [
        grid_services.file_on_behalf(
            party_id=b.person.pk,
            power_id=item.power.pk,
            consent_note="本人书面委托",
            user=grid_worker,
        ),
        grid_services.file_on_behalf(
            party_id=b.company.pk,
            power_id=sampled[0].power.pk,
            consent_note="法定代表人委托",
            user=grid_worker,
        ),
        grid_services.file_on_behalf(
            party_id=resident3.pk,
            power_id=sampled[1].power.pk,
            consent_note="本人口头委托，已录音",
            user=worker3,
        ),
    ]

    # --- approvals: deadline warnings on accepted applications of three items -----------------
    warned = []
    for it, p in ((item, b.person), (sampled[0], b.far_company), (sampled[1], party3)):
        route = "commitment" if it is item else "ordinary"
        app = _accepted(it, clerk, _account(p), p, route=route)
        warned.append(approvals.warn(app.pk, on=app.warn_on))

    # --- the events of all this, then the deadline sweep six weeks on -------------------------
    _deliver()
    report = oversight.sweep(perm_world.TODAY + dt.timedelta(weeks=6))
    assert not report.errors, report.errors

    return SimpleNamespace(
        licences=[lic3, *directory],
        draws=draws,
        recusals=recusals,
        broken_commitments=broken,
        tables=tables,
        review=review,
        measures=measures,
        filings=filings,
        warnings=warned,
    )

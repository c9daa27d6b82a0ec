"""Drive a penalty case through the real services to any state: ``flow.to("reviewed")``."""

from __future__ import annotations

import datetime as dt
import io

from shenguan.core import calendar
from shenguan.enforcement.cases import services
from shenguan.enforcement.cases.choices import CaseStatus as S
from shenguan.enforcement.cases.models import PenaltyCase
from shenguan.enforcement.common.policy import publish_policy
from shenguan.enforcement.discretion.models import Benchmark
from shenguan.enforcement.legal import services as legal


def png_bytes(colour=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buf, format="PNG")
    return buf.getvalue()


# §8.35 of the Guangdong table: row 1 = 20,000-50,000 yuan, row 5 = 120,000-150,000 yuan.
MINOR = {"position": 1, "fine": "30000"}
MAJOR = {"position": 5, "fine": "130000"}


class Flow:
    """One case of ``company`` in squad 1, investigated by officer1 and officer2."""

    def __init__(self, b, table, travel):
        self.b, self.table, self.travel = b, table, travel
        self.case: PenaltyCase | None = None
        self.lead = None
        self.major = False
        self.day = None

    # --- people ---
    @property
    def o1(self):
        return self.b.officer1

    @property
    def pair(self) -> list[int]:
        return [self.b.staff(self.b.officer1).pk, self.b.staff(self.b.officer2).pk]

    def refresh(self) -> PenaltyCase:
        self.case.refresh_from_db()
        return self.case

    def go(self, day: dt.date):
        self.travel(day)
        self.day = day

    def later(self, working_days: int = 0, days: int = 0):
        today = self.day or dt.date.today()
        target = calendar.add_working_days(today, working_days) if working_days else today
        self.go(target + dt.timedelta(days=days))

    # --- steps ---
    def lead_only(self, **kwargs):
        self.lead = services.receive_lead(
            "complaint",
            description="群众投诉：无证经营并向河道排放污水",
            party_id=self.b.company.pk,
            user=self.b.officer1,
            **kwargs,
        )
        return self.lead

    def open(self, **kwargs):
        if self.lead is None:
            self.lead_only()
        self.case = services.open_case(
            self.lead.pk,
            power_id=self.b.penalty_power.pk,
            title="未按规定报告污染物排放异常",
            officer_ids=self.pair,
            user=self.o1,
            **kwargs,
        )
        return self.case

    def evidence(self):
        return services.add_evidence(
            self.case.pk,
            content=png_bytes(),
            filename="现场.png",
            place="葛店社区创业路8号",
            officer_ids=self.pair,
            user=self.o1,
        )

    def proposal(self, major: bool = False) -> dict:
        pick = MAJOR if major else MINOR
        bench = Benchmark.objects.get(table=self.table, code="§8.35")
        return {
            "facts": "2026年3月当事人自动监测设备数据异常未报告",
            "violated_provision": "《排污许可管理条例》第二十条",
            "penalty_basis": "《排污许可管理条例》第三十六条第八项",
            "sanctions": ["fine"],
            "fine_amount": pick["fine"],
            "benchmark_id": bench.pk,
            "discretion_inputs": {"positions": [pick["position"]]},
        }

    def propose(self, major: bool = False):
        self.major = major
        return services.propose(self.case.pk, **self.proposal(major), user=self.o1)

    def drop_hearing_ground(self):
        """A policy under which a held hearing and a large fine alone are not "major"."""
        publish_policy({"review_grounds": ["revocation", "closure", "public_interest", "complex"]})

    def to(
        self,
        state: str,
        *,
        major: bool | None = None,
        via_hearing: bool = False,
        minor_review=False,
    ):
        """Bring a new case to ``state``. ``major`` — a fine of 130,000 yuan (hearing right,
        legal review); ``via_hearing`` reaches legal review and later states through a held
        hearing."""
        major = via_hearing if major is None else major
        if self.case is None:
            self.open()
        order = [
            S.OPENED,
            S.INVESTIGATING,
            S.PROPOSED,
            S.NOTIFIED,
            S.HEARING_REQUESTED,
            S.HEARING_SCHEDULED,
            S.HEARD,
            S.LEGAL_REVIEW,
            S.RETURNED,
            S.REVIEWED,
            S.DECIDED,
            S.SERVED,
            S.DEMANDED,
            S.COURT_APPLIED,
        ]
        hearing_states = {S.HEARING_REQUESTED, S.HEARING_SCHEDULED, S.HEARD}
        target = S(state)
        path = order[: order.index(target) + 1]
        if not via_hearing and target not in hearing_states:
            path = [s for s in path if s not in hearing_states]
        if target == S.DECIDED and not major and not via_hearing and not minor_review:
            path = [S.OPENED, S.INVESTIGATING, S.PROPOSED, S.NOTIFIED, S.DECIDED]
        if target == S.RETURNED:
            path = [s for s in path if s != S.REVIEWED]
        if target in (S.REVIEWED, S.DECIDED, S.SERVED, S.DEMANDED, S.COURT_APPLIED):
            path = [s for s in path if s != S.RETURNED]
        for s in path[1:]:
            self._step(s, major)
        self.refresh()
        assert self.case.status == target, (self.case.status, target)
        return self.case

    def _step(self, s, major):
        c, b = self.case, self.b
        if s == S.INVESTIGATING:
            services.start_investigation(c.pk, officer_ids=self.pair, user=self.o1)
        elif s == S.PROPOSED:
            self.evidence()
            self.propose(major)
        elif s == S.NOTIFIED:
            services.notify(c.pk, officer_ids=self.pair, user=self.o1)
        elif s == S.HEARING_REQUESTED:
            services.request_hearing(c.pk, user=self.o1)
        elif s == S.HEARING_SCHEDULED:
            from shenguan.enforcement.cases import deadlines

            day = deadlines.earliest_hearing(self.day)
            services.schedule_hearing(
                c.pk,
                hearing_on=day,
                place="执法局听证室",
                host_id=b.staff(b.legal2).pk,
                user=b.legal,
            )
            self._hearing_day = day
        elif s == S.HEARD:
            self.go(self._hearing_day)
            services.hold_hearing(
                c.pk, attended=True, record_text="当事人陈述了整改情况", user=b.legal2
            )
        elif s == S.LEGAL_REVIEW:
            self.refresh()
            if self.case.status == S.NOTIFIED:
                services.waive_rights(c.pk, note="当事人书面声明放弃陈述申辩和听证", user=self.o1)
            services.submit_for_review(c.pk, note="请审核", user=self.o1)
        elif s == S.RETURNED:
            legal.give_opinion(c.pk, opinion="amend", text="罚款幅度说明不足", user=b.legal)
        elif s == S.REVIEWED:
            legal.give_opinion(c.pk, opinion="approve", user=b.legal)
        elif s == S.DECIDED:
            self.refresh()
            if self.case.status == S.NOTIFIED:
                services.waive_rights(c.pk, note="当事人书面声明放弃陈述申辩和听证", user=self.o1)
            services.decide(c.pk, user=b.head)
        elif s == S.SERVED:
            services.serve(c.pk, method="in_person", officer_ids=self.pair, user=self.o1)
        elif s == S.DEMANDED:
            self.refresh()
            self.go(self.case.payment_due_on + dt.timedelta(days=1))
            services.demand_payment(c.pk, user=self.o1)
        elif s == S.COURT_APPLIED:
            self.refresh()
            from shenguan.enforcement.cases import deadlines

            opens, _closes = deadlines.court_application_window(self.case.served_on, 6, 3)
            self.go(
                max(
                    opens, deadlines.demand_wait_until(self.case.demanded_on) + dt.timedelta(days=1)
                )
            )
            services.apply_to_court(c.pk, user=b.head)

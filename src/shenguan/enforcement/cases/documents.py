"""The text of each numbered document a case step issues (the PDF is rendered from it).
Documents addressed to the party carry its full identifier (they go to the party itself)."""

from __future__ import annotations

from decimal import Decimal

from shenguan.parties.choices import PartyKind

from ..common.base import bureau_name
from .choices import DecisionOutcome, Sanction
from .models import PenaltyCase

REMEDIES = (
    "如不服本决定，可以在收到本决定书之日起六十日内依法申请行政复议，"
    "或者在六个月内依法向人民法院提起行政诉讼。"
)


def _d(day) -> str:
    return f"{day:%Y年%m月%d日}" if day else "—"


def yuan(amount) -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount):,.2f}元"


def party_line(case: PenaltyCase) -> str:
    p = case.party
    if p.kind == PartyKind.ENTERPRISE:
        rep = f"；法定代表人：{p.legal_representative}" if p.legal_representative else ""
        return f"当事人：{p.name}；统一社会信用代码：{p.uscc}{rep}。"
    return f"当事人：{p.name}；公民身份号码：{p.id_number}。"


def sanctions_text(sanctions, fine, confiscation) -> str:
    parts = []
    for code in sanctions:
        label = Sanction(code).label
        if code == Sanction.FINE:
            parts.append(f"{label}{yuan(fine)}")
        elif code == Sanction.CONFISCATION and confiscation:
            parts.append(f"{label}{yuan(confiscation)}")
        else:
            parts.append(str(label))
    return "；".join(parts) or "—"


def discretion_text(case: PenaltyCase) -> str:
    calc = case.discretion or {}
    if not calc:
        return f"未适用裁量基准：{case.no_benchmark_reason}" if case.no_benchmark_reason else ""
    bench = calc.get("benchmark", {})
    table = calc.get("table", {})
    formula = "；".join(calc.get("formula", []))
    return (
        f"适用裁量基准：{table.get('name', '')}（第{table.get('version', '')}版）"
        f"{bench.get('code', '')}“{bench.get('violation', '')}”。{formula}"
    )


def opening(case: PenaltyCase, officers) -> list[str]:
    lead = case.lead
    lines = [party_line(case), f"案由：{case.title}。"]
    if lead is not None:
        lines.append(
            f"案件来源：{lead.get_source_display()}（{_d(lead.received_on)}收到）：{lead.description}"
        )
    lines.append(
        "承办执法人员：" + "、".join(f"{o.name}（{o.enforcement_cert_no}）" for o in officers)
    )
    lines.append(
        f"立案日期：{_d(case.opened_on)}；应于{_d(case.decision_due_on)}前作出处理决定（行政处罚法第六十条）。"
    )
    if case.open_late_reason:
        lines.append(f"逾期立案说明：{case.open_late_reason}")
    return lines


def investigation_report(case: PenaltyCase, evidence_count: int) -> list[str]:
    lines = [
        party_line(case),
        f"案由：{case.title}；立案日期：{_d(case.opened_on)}。",
        f"调查认定的违法事实：{case.facts}",
        f"证据：共 {evidence_count} 份（均附SHA-256校验值）。",
        f"违反条款：{case.violated_provision}；处罚依据：{case.penalty_basis}。",
        "拟处罚意见："
        + sanctions_text(case.sanctions, case.fine_amount, case.confiscation_amount)
        + "。",
    ]
    rationale = discretion_text(case)
    if rationale:
        lines.append(rationale)
    if case.proposal_reasons:
        lines.append(f"裁量理由：{case.proposal_reasons}")
    if case.review_grounds:
        lines.append(
            "须经法制审核（行政处罚法第五十八条）：" + "、".join(case.review_ground_labels) + "。"
        )
    return lines


def statement_record(case: PenaltyCase, statement) -> list[str]:
    return [
        party_line(case),
        f"陈述申辩时间：{_d(statement.received_on)}；记录人：{statement.recorded_by.name}。",
        f"陈述申辩内容：{statement.text}",
        "复核意见："
        + (statement.review or "—")
        + ("（理由成立，予以采纳）" if statement.adopted else ""),
        "本机关不因当事人陈述、申辩而给予更重的处罚（行政处罚法第四十五条）。",
    ]


def notice(case: PenaltyCase) -> list[str]:
    lines = [
        party_line(case),
        f"经调查，本机关认定你（单位）存在以下违法事实：{case.facts}",
        f"上述行为违反了{case.violated_provision or '—'}。",
        f"依据{case.penalty_basis or '—'}，本机关拟对你（单位）作出如下行政处罚："
        + sanctions_text(case.sanctions, case.fine_amount, case.confiscation_amount)
        + "。",
    ]
    rationale = discretion_text(case)
    if rationale:
        lines.append(rationale)
    if case.proposal_reasons:
        lines.append(f"裁量理由：{case.proposal_reasons}")
    lines.append(
        f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条，你（单位）有权进行陈述和申辩，"
        f"请于{_d(case.statement_due_on)}前向本机关提出；本机关不因你（单位）陈述、申辩而给予更重的处罚。"
    )
    if case.hearing_eligible:
        lines.append(
            f"根据第六十三条、第六十四条，你（单位）有权要求听证，请于{_d(case.hearing_request_due_on)}前"
            "（告知后五日内）提出；逾期未提出的，视为放弃听证权利。听证不收取费用。"
        )
    lines.append("逾期未陈述、申辩的，视为放弃上述权利。")
    return lines


def hearing_notice(case: PenaltyCase, hearing) -> list[str]:
    return [
        party_line(case),
        f"你（单位）于{_d(hearing.requested_on)}提出的听证申请，本机关决定于{_d(hearing.hearing_on)}"
        f"在{hearing.place}举行听证，{'公开' if hearing.public else '不公开'}举行。",
        f"听证主持人：{hearing.host.name}（非本案调查人员）。你（单位）可以亲自参加，也可以委托一至二人代理；"
        "无正当理由拒不出席或者未经许可中途退出的，视为放弃听证权利（行政处罚法第六十四条）。",
    ]


def hearing_record(case: PenaltyCase, hearing) -> list[str]:
    lines = [
        party_line(case),
        f"听证日期：{_d(hearing.held_on)}；地点：{hearing.place}；主持人：{hearing.host.name}。",
    ]
    if hearing.attended:
        lines.append(f"听证情况：{hearing.record}")
    else:
        lines.append(
            "当事人无正当理由未出席听证，视为放弃听证权利，听证终止（行政处罚法第六十四条第六项）。"
        )
    return lines


def extension(case: PenaltyCase, previous_due) -> list[str]:
    return [
        party_line(case),
        f"案由：{case.title}；立案日期：{_d(case.opened_on)}；原决定期限：{_d(previous_due)}。",
        f"延期理由：{case.extension_reason}",
        f"经本机关负责人批准，决定期限延长至{_d(case.decision_due_on)}。",
    ]


def decision(case: PenaltyCase, statements) -> list[str]:
    lines = [party_line(case)]
    if case.outcome == DecisionOutcome.NOT_ESTABLISHED:
        lines.append(
            f"本机关于{_d(case.opened_on)}对你（单位）涉嫌{case.title}一案立案调查。经调查，"
            "违法事实不能成立，根据《中华人民共和国行政处罚法》第五十七条第一款第三项，决定不予行政处罚。"
        )
        return lines
    lines += [
        f"违法事实：{case.facts}",
        f"上述行为违反了{case.violated_provision or '—'}。",
    ]
    if statements:
        adopted = [s for s in statements if s.adopted]
        lines.append(
            f"本机关于{_d(case.notified_on)}告知你（单位）拟作出的行政处罚及相关权利，你（单位）提出了陈述、申辩；"
            + ("经复核，理由成立，予以采纳。" if adopted else "经复核，理由不成立，不予采纳。")
        )
    else:
        lines.append(
            f"本机关于{_d(case.notified_on)}告知你（单位）拟作出的行政处罚及相关权利，你（单位）在规定期限内未提出陈述、申辩。"
        )
    if case.outcome == DecisionOutcome.NO_PENALTY:
        lines.append(
            "鉴于违法行为轻微并及时改正，没有造成危害后果，根据《中华人民共和国行政处罚法》第三十三条、"
            "第五十七条第一款第二项，决定不予行政处罚，并对你（单位）进行教育。"
        )
    else:
        lines.append(
            f"依据{case.penalty_basis or '—'}，本机关决定对你（单位）作出如下行政处罚："
            + sanctions_text(case.sanctions, case.fine_amount, case.confiscation_amount)
            + "。"
        )
        rationale = discretion_text(case)
        if rationale:
            lines.append(rationale)
        if case.fine_amount or case.confiscation_amount:
            lines.append(
                "请自收到本决定书之日起十五日内到指定银行或者通过电子支付系统缴纳。到期不缴纳的，"
                "每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款数额"
                "（行政处罚法第六十七条、第七十二条）。"
            )
    lines.append(REMEDIES)
    return lines


def spot_decision(case: PenaltyCase, officers) -> list[str]:
    lines = [
        party_line(case),
        f"违法事实：{case.facts}（时间：{_d(case.decided_on)}；地点：{case.place}）",
        f"违反：{case.violated_provision}；依据：{case.penalty_basis}。",
        "当场作出行政处罚决定："
        + sanctions_text(case.sanctions, case.fine_amount, case.confiscation_amount)
        + "（行政处罚法第五十一条、第五十二条）。",
    ]
    if case.fine_amount:
        lines.append(
            f"请于{_d(case.payment_due_on)}前缴纳罚款；到期不缴纳的，每日按罚款数额的百分之三加处罚款。"
        )
    lines.append(REMEDIES)
    lines.append(
        "执法人员：" + "、".join(f"{o.name}（执法证号{o.enforcement_cert_no}）" for o in officers)
    )
    lines.append(f"本决定书已当场交付当事人，并报{bureau_name()}备案。")
    return lines


def service_receipt(case: PenaltyCase, officers, method_label: str, note: str) -> list[str]:
    lines = [
        party_line(case),
        f"送达文书：行政处罚决定书（{case.decision_number}）。",
        f"送达方式：{method_label}；送达日期：{_d(case.served_on)}。",
        "送达人：" + "、".join(o.name for o in officers),
    ]
    if note:
        lines.append(note)
    return lines


def demand(case: PenaltyCase, fee) -> list[str]:
    return [
        party_line(case),
        f"本机关于{_d(case.decided_on)}作出行政处罚决定（{case.decision_number}），"
        f"于{_d(case.served_on)}送达，缴款期限至{_d(case.payment_due_on)}。你（单位）至今未履行。",
        f"截至{_d(case.demanded_on)}，应缴罚款{yuan(case.fine_amount)}，加处罚款{yuan(fee)}"
        "（每日按罚款数额的百分之三计算，不超过罚款数额）。",
        "请于收到本催告书之日起十日内履行。逾期仍不履行的，本机关将依法申请人民法院强制执行"
        "（行政强制法第五十四条）。你（单位）有权进行陈述和申辩。",
    ]


def court_application(case: PenaltyCase, fee) -> list[str]:
    return [
        f"申请人：{bureau_name()}。",
        f"被申请人：{case.party.name}。",
        f"申请事项：强制执行行政处罚决定（{case.decision_number}）：罚款{yuan(case.fine_amount)}，"
        f"加处罚款{yuan(fee)}。",
        f"事实和理由：决定书于{_d(case.served_on)}送达，被申请人在法定期限内未申请行政复议或者提起行政诉讼，"
        f"又不履行；本机关于{_d(case.demanded_on)}催告，十日后仍未履行（行政强制法第五十三条、第五十四条）。",
    ]


def closing(case: PenaltyCase, note: str) -> list[str]:
    return [party_line(case), f"案由：{case.title}。", f"结案情况：{note}"]

"""Printable documents as PDF (ReportLab): the licence certificate with its QR code, receipts,
the one-time notice and commitment notices.

The CJK font ships in ``approvals/fonts/`` and is embedded in every PDF, so documents print
the same on a machine with no Chinese font installed."""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path

import segno
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from shenguan.parties.choices import PartyKind
from shenguan.parties.validators import mask_ric

FONT_NAME = "WenQuanYiMicroHei"
FONT_PATH = Path(__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"


@lru_cache(maxsize=1)
def register_font() -> str:
    # subfontIndex=0: the .ttc holds Micro Hei (0) and Micro Hei Mono (1).
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(FONT_PATH), subfontIndex=0))
    return FONT_NAME


def _styles():
    font = register_font()
    base = ParagraphStyle("sg-body", fontName=font, fontSize=11, leading=17, wordWrap="CJK")
    return {
        "title": ParagraphStyle(
            "sg-title", parent=base, fontSize=24, leading=32, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle("sg-sub", parent=base, fontSize=11, alignment=TA_CENTER),
        "body": base,
        "label": ParagraphStyle("sg-label", parent=base, textColor=colors.HexColor("#444444")),
        "small": ParagraphStyle("sg-small", parent=base, fontSize=8, leading=11),
        "right": ParagraphStyle("sg-right", parent=base, alignment=2),
    }


def _esc(text) -> str:
    return (
        str(text if text is not None else "")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", "<br/>")
    )


class QRFlowable(Flowable):
    """A QR code drawn as vector squares (sharp at any zoom and print resolution)."""

    def __init__(self, data: str, size: float = 38 * mm):
        super().__init__()
        self.qr = segno.make(data, error="m", micro=False)
        self.size = size
        self.width = self.height = size

    def draw(self):
        rows = list(self.qr.matrix_iter(scale=1, border=4))
        module = self.size / len(rows)
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.size, self.size, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        path = canvas.beginPath()
        for r, row in enumerate(rows):
            y = self.size - (r + 1) * module
            for c, dark in enumerate(row):
                if dark:
                    path.rect(c * module, y, module, module)
        canvas.drawPath(path, stroke=0, fill=1)


def _frame(canvas, doc):
    width, height = A4
    canvas.saveState()
    canvas.setStrokeColor(colors.HexColor("#8b1a1a"))
    canvas.setLineWidth(2.5)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.8)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)
    canvas.restoreState()


def _seal(canvas, x: float, y: float, text: str) -> None:
    """A printed imitation of the bureau's seal (the legal seal is applied on paper)."""
    canvas.saveState()
    red = colors.HexColor("#c0392b")
    canvas.setStrokeColor(red)
    canvas.setFillColor(red)
    canvas.setLineWidth(1.5)
    canvas.circle(x, y, 17 * mm)
    canvas.setFont(register_font(), 14)
    canvas.drawCentredString(x, y + 5 * mm, "★")
    canvas.setFont(register_font(), 8.5)
    lines = [text[i : i + 5] for i in range(0, min(len(text), 15), 5)]
    for n, line in enumerate(lines):
        canvas.drawCentredString(x, y - (1 + 4 * n) * mm, line)
    canvas.restoreState()


def holder_identifier(licence) -> str:
    """Enterprises: the credit code. Individuals: the resident ID masked — the certificate
    travels and is photographed; the full number stays in the file."""
    holder = licence.holder
    if holder.kind == PartyKind.ENTERPRISE:
        return holder.uscc or ""
    return mask_ric(holder.id_number or "")


def licence_pdf(licence) -> bytes:
    """The certificate: number, holder, item, conditions, validity, issuing body and a QR code
    that opens ``<PUBLIC_URL>/verify/<verification number>``."""
    from .choices import Route

    s = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=28 * mm,
        bottomMargin=25 * mm,
        title=f"{licence.title} {licence.number}",
        author=licence.issuing_body,
        subject=licence.item_name,
    )
    validity = f"{licence.valid_from:%Y年%m月%d日} 至 " + (
        f"{licence.valid_until:%Y年%m月%d日}" if licence.valid_until else "长期"
    )
    id_label = "统一社会信用代码" if licence.holder.kind == PartyKind.ENTERPRISE else "身份证号码"
    rows = [
        ("被许可人", licence.holder_name),
        (id_label, holder_identifier(licence)),
        ("许可事项", licence.item_name),
        ("许可条件/范围", licence.conditions or "—"),
        ("有效期限", validity),
        ("办理方式", Route(licence.route).label),
        ("发证机关", licence.issuing_body),
        ("发证日期", f"{licence.issued_on:%Y年%m月%d日}"),
    ]
    table = Table(
        [[Paragraph(_esc(k), s["label"]), Paragraph(_esc(v), s["body"])] for k, v in rows],
        colWidths=[42 * mm, 118 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.HexColor("#cccccc")),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    qr = QRFlowable(licence.verify_url)
    qr_block = Table(
        [
            [
                Paragraph(
                    _esc(
                        "扫描二维码或访问以下地址核验本证真伪及状态：\n"
                        f"{licence.verify_url}\n核验号：{licence.verification_number}"
                    ),
                    s["small"],
                ),
                qr,
            ]
        ],
        colWidths=[120 * mm, 40 * mm],
    )
    qr_block.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    story = [
        Paragraph(_esc(licence.title), s["title"]),
        Spacer(1, 4 * mm),
        Paragraph(_esc(f"编号：{licence.number}"), s["subtitle"]),
        Spacer(1, 10 * mm),
        table,
        Spacer(1, 18 * mm),
        qr_block,
    ]

    def on_page(canvas, doc_):
        _frame(canvas, doc_)
        _seal(canvas, A4[0] - 78 * mm, 152 * mm, licence.issuing_body)

    doc.build(story, onFirstPage=on_page, onLaterPages=_frame)
    return buf.getvalue()


def text_pdf(title: str, number: str, paragraphs: list[str], *, issuer: str, date) -> bytes:
    """A plain official document: title, number, paragraphs, issuer and date at the foot."""
    s = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=28 * mm,
        topMargin=30 * mm,
        bottomMargin=25 * mm,
        title=f"{title} {number}",
        author=issuer,
    )
    story = [Paragraph(_esc(title), s["title"]), Spacer(1, 3 * mm)]
    if number:
        story.append(Paragraph(_esc(number), s["subtitle"]))
    story.append(Spacer(1, 8 * mm))
    for para in paragraphs:
        story.append(Paragraph(_esc(para) or "&nbsp;", s["body"]))
        story.append(Spacer(1, 2 * mm))
    story += [
        Spacer(1, 12 * mm),
        Paragraph(_esc(issuer), s["right"]),
        Paragraph(_esc(f"{date:%Y年%m月%d日}"), s["right"]),
    ]
    doc.build(story)
    return buf.getvalue()


def notice_pdf(notice) -> bytes:
    """The one-time notice (一次性告知书, 行政许可法 art 32)."""
    app = notice.application
    paras = [
        f"{app.applicant.name}：",
        f"您于{app.received_on:%Y年%m月%d日}提交的“{app.power_version.name}”申请"
        f"（申请编号{app.number}），申请材料不齐全或者不符合法定形式。"
        "根据《中华人民共和国行政许可法》第三十二条，现一次性告知您需要补正的全部内容如下：",
    ]
    for i, item in enumerate(notice.items, start=1):
        kind = "要件" if item.get("essential") else "非要件"
        problem = "缺少" if item.get("state") == "missing" else "不符合要求"
        extra = f"：{item['note']}" if item.get("note") else ""
        paras.append(f"{i}. {item['name']}（{kind}，{problem}{extra}）")
    if notice.note:
        paras.append(notice.note)
    paras.append("请补正上述全部材料后再次提交。本机关不再要求补正本告知书以外的材料。")
    return text_pdf(
        "一次性告知书", notice.number, paras, issuer=notice.issuing_body, date=notice.issued_on
    )


RECEIPT_TEXT = {
    "acceptance": "您提交的申请材料齐全、符合法定形式（或已依法签署承诺），本机关决定予以受理。",
    "refusal": "经审查，本机关决定不予受理您的申请。",
    "not_required": "经审查，您申请的事项依法不需要取得行政许可，本机关不予受理。",
    "redirect": "经审查，您申请的事项依法不属于本机关职权范围，本机关不予受理。",
}


def receipt_pdf(receipt) -> bytes:
    app = receipt.application
    paras = [
        f"{app.applicant.name}：",
        f"您于{app.received_on:%Y年%m月%d日}提交的“{app.power_version.name}”申请"
        f"（申请编号{app.number}）。" + RECEIPT_TEXT[receipt.kind],
    ]
    if receipt.kind == "acceptance" and app.statutory_due_on:
        paras.append(
            f"受理日期：{app.accepted_on:%Y年%m月%d日}；法定办结期限：{app.statutory_due_on:%Y年%m月%d日}；"
            f"承诺办结期限：{app.promised_due_on:%Y年%m月%d日}。"
        )
    if receipt.reasons:
        paras.append(f"理由：{receipt.reasons}")
    if receipt.competent_body:
        paras.append(f"请向{receipt.competent_body}申请。")
    if receipt.remedies:
        paras.append(receipt.remedies)
    paras.append("（依据：《中华人民共和国行政许可法》第三十二条）")
    return text_pdf(
        receipt.get_kind_display(),
        receipt.number,
        paras,
        issuer=receipt.issuing_body,
        date=receipt.issued_on,
    )


def commitment_pdf(commitment) -> bytes:
    lines = commitment.notice_text.split("\n")
    title, body = (lines[0], lines[1:]) if lines else (commitment.get_kind_display(), [])
    if commitment.signed_at:
        body += [
            "",
            f"承诺人（签署）：{commitment.signer_name}",
            f"签署时间：{commitment.signed_at:%Y-%m-%d %H:%M}",
        ]
    issued = commitment.signed_at or commitment.notice_issued_at
    from .services._base import bureau_name

    return text_pdf(title, commitment.application.number, body, issuer=bureau_name(), date=issued)

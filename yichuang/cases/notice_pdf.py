"""Notices and decisions as A4 PDFs, rendered from the content frozen when they were issued.

Everything printed comes from `Notice.content` (and the notice's own kind and number), never
from the case as it is today: a notice reprinted a year later is the paper the applicant was
given. The wording follows the forms used for 行政许可 documents: the issuing body, the title,
the document number, the addressee, the body with the article of 行政许可法 it rests on, the
applicant's remedies where the law requires them, the seal line and date at the bottom right,
and a QR code to the public progress page.
"""

import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, KeepTogether, Spacer, Table, TableStyle

from yichuang.core.pdf import LINE, PdfDocument, QrFlowable, Styles, data_table, field_table, paragraph

from .models import Notice

K = Notice.Kind
LAW = "《中华人民共和国行政许可法》"
WARN_INK = colors.HexColor("#7a5210")
WARN_BG = colors.HexColor("#fdf3e1")
WARN_LINE = colors.HexColor("#e0b96a")
SCALES = (1.0, 0.94, 0.88, 0.82)


class NoticeStyles:
    """The type of a formal notice: larger than a checklist, body indented two characters."""

    def __init__(self, base: Styles):
        s = base.scale
        self.base = base
        self.issuer = base.body.clone("issuer", fontSize=15 * s, leading=22 * s, alignment=TA_CENTER, spaceAfter=2 * s)
        self.title = base.body.clone("ntitle", fontSize=21 * s, leading=30 * s, alignment=TA_CENTER, spaceAfter=3 * s)
        self.number = base.body.clone("number", fontSize=10.5 * s, leading=15 * s, alignment=TA_RIGHT)
        self.addressee = base.body.clone("addressee", fontSize=12 * s, leading=21 * s, spaceBefore=9 * s,
                                         spaceAfter=1 * s)
        self.body = base.body.clone(
            "nbody", fontSize=12 * s, leading=21 * s, firstLineIndent=24 * s, alignment=TA_JUSTIFY, spaceAfter=2 * s
        )
        self.item = base.body.clone(
            "nitem", fontSize=12 * s, leading=21 * s, firstLineIndent=24 * s, alignment=TA_JUSTIFY, spaceAfter=1 * s
        )
        self.seal = base.body.clone("seal", fontSize=12 * s, leading=22 * s, alignment=TA_CENTER)
        self.small = base.small
        self.small_center = base.small_center
        self.warn = base.body.clone("warn", fontSize=9.5 * s, leading=14 * s, textColor=WARN_INK)
        self.sign = base.body.clone("sign", fontSize=10 * s, leading=15 * s)


def _days(n: Any) -> str:
    return _("%(n)s个工作日") % {"n": n}


def _v(content: dict[str, Any], key: str, default: str = "") -> str:
    value = content.get(key)
    return default if value in (None, "") else str(value)


def _date(content: dict[str, Any], key: str) -> str:
    """A date the notice promises; marked 预计 when its year's holidays were not yet announced."""
    value = _v(content, key, "—")
    if content.get("due_confirmed", True) is False and value != "—":
        value += _("（预计）")
    return value


def _sentence(text: str) -> str:
    """Make a free-text clause end like a sentence (staff type reasons with or without a full stop)."""
    text = (text or "").strip()
    if text and text[-1] not in "。！？；.!?;":
        text += "。"
    return text


def _applied(content: dict[str, Any]) -> str:
    """「你（单位）于2026年11月2日提出的食品经营许可申请（办件编号：…）」"""
    return _("你（单位）于%(d)s提出的「%(item)s」申请（办件编号：%(n)s）") % {
        "d": _v(content, "received_on", "—"), "item": _v(content, "item"), "n": _v(content, "case_number"),
    }


# --- the body of each kind ------------------------------------------------------------------------


class Body:
    """Collects the flowables of a notice body with the notice's styles."""

    def __init__(self, doc: PdfDocument, st: NoticeStyles):
        self.doc = doc
        self.st = st
        self.story: list[Flowable] = []

    def para(self, text: str) -> None:
        if text:
            self.story.append(paragraph(text, self.st.body))

    def point(self, text: str) -> None:
        if text:
            self.story.append(paragraph(text, self.st.item))

    def table(self, header: list[str], rows: list[list[str]], widths: list[float], center=(0,)) -> None:
        width = self.doc.width
        self.story.append(Spacer(1, 1.5 * mm))
        self.story.append(data_table(header, rows, styles=self.doc.styles,
                                     col_widths=[w * width for w in widths], center_columns=center))
        self.story.append(Spacer(1, 2.5 * mm))

    def warn(self, text: str) -> None:
        box = Table([[paragraph(text, self.st.warn)]], colWidths=[self.doc.width])
        box.setStyle(TableStyle([
            ("BOX", (0, 0), (-1, -1), 0.6, WARN_LINE), ("BACKGROUND", (0, 0), (-1, -1), WARN_BG),
            ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
        ]))
        self.story += [Spacer(1, 2 * mm), box, Spacer(1, 1 * mm)]


def _materials_rows(materials: list[dict[str, Any]], *, with_state: bool = True) -> list[list[str]]:
    rows = []
    for i, m in enumerate(materials, start=1):
        note = m.get("note") or ""
        if m.get("promised_on"):
            note = "；".join(p for p in (note, _("承诺%(d)s前补齐") % {"d": m["promised_on"]}) if p)
        rows.append([str(i), str(m.get("name", "")), str(m.get("state", "")), note] if with_state
                    else [str(i), str(m.get("name", ""))])
    return rows


def _deferred_table(b: Body, deferred: list[dict[str, Any]]) -> None:
    b.table(
        [_("序号"), _("容缺后补材料"), _("承诺补齐日期"), _("说明")],
        [[str(i), str(m.get("name", "")), str(m.get("promised_on", "")), str(m.get("note", ""))]
         for i, m in enumerate(deferred, start=1)],
        [0.08, 0.42, 0.22, 0.28], center=(0, 2),
    )


def _provisional(b: Body, content: dict[str, Any], *keys: str) -> None:
    """Say so when a date was computed in a year whose holidays are not yet announced."""
    if content.get("due_confirmed", True) is not False:
        return
    years = sorted({m for k in keys for m in re.findall(r"(\d{4})年", _v(content, k))})
    which = "、".join(f"{y}年" for y in years) or _("相关年度")
    b.warn(_("注：%(y)s的法定节假日安排尚未公布，上述日期暂按周一至周五为工作日推算，为预计日期。"
             "国务院公布节假日安排后，本机关将重新核定并告知；届时可扫描下方二维码查询核定后的日期。") % {"y": which})


def _receipt(b: Body, c: dict[str, Any]) -> None:
    b.para(_("你（单位）于%(d)s向本中心提出「%(item)s」申请，本中心已收到你（单位）提交的下列申请材料，"
             "办件编号为 %(n)s。") % {"d": _v(c, "received_on", "—"), "item": _v(c, "item"), "n": _v(c, "case_number")})
    materials = c.get("materials") or []
    if materials:
        b.table([_("序号"), _("材料名称"), _("核验情况"), _("说明")], _materials_rows(materials),
                [0.08, 0.5, 0.16, 0.26], center=(0, 2))
    b.para(_("本凭证仅证明本中心已收到上述材料，不表示已受理。根据%(law)s第三十二条的规定，本机关将当场或者在五日内"
             "作出是否受理的决定；申请材料不齐全或者不符合法定形式的，将一次性告知需要补正的全部内容，"
             "逾期不告知的，自收到申请材料之日起即为受理。") % {"law": LAW})
    b.para(_("请妥善保管本凭证，凭办件编号及登记的联系电话（或证件号码后四位）可随时查询办理进度。"))


def _acceptance(b: Body, c: dict[str, Any]) -> None:
    deferred = c.get("deferred") or []
    if deferred:
        checked = _("经审查，申请材料中主要材料齐全、符合法定形式，下列%(n)d项材料按容缺受理办法由你（单位）承诺后补") % {
            "n": len(deferred)}
    else:
        checked = _("经审查，申请材料齐全、符合法定形式")
    b.para(_("%(applied)s，%(checked)s，根据%(law)s第三十二条第一款第（五）项的规定，决定予以受理。受理日期为%(on)s。")
           % {"applied": _applied(c), "checked": checked, "law": LAW, "on": _v(c, "accepted_on", _v(c, "issued_on"))})
    limit = c.get("limit_days") or 0
    statutory = c.get("statutory_limit_days") or 0
    if limit or statutory:
        # A 即办件 accepted but not settled in the same visit promises the day itself, not "0 working days".
        promised = _days(limit) if limit else _("当日办结")
        b.para(_("本机关将于%(due)s前作出决定（承诺办结时限%(limit)s，法定办结时限%(stat)s，法定期限届满日为%(sdue)s；"
                 "受理当日不计入期限）。依法需要听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在"
                 "上述期限内，本机关将另行书面告知所需时间。")
               % {"due": _date(c, "due_on"), "limit": promised, "stat": _days(statutory),
                  "sdue": _date(c, "statutory_due_on")})
        _provisional(b, c, "due_on", "statutory_due_on")
    else:
        b.para(_("本事项为即办件，本机关当场作出决定。"))
    if deferred:
        b.para(_("请你（单位）在承诺日期前补齐下列容缺后补材料："))
        _deferred_table(b, deferred)
        if c.get("deliver_before_supplement"):
            b.para(_("本事项实行「先证后补」，审批结果可先行送达。请按承诺日期补齐上述材料；逾期未补齐的，本机关将依法处理。"))
        else:
            b.para(_("上述材料补齐前，审批结果暂缓出件；请按承诺日期补齐，以免影响领取。"))
    materials = c.get("materials") or []
    if materials:
        b.para(_("本机关已收取的申请材料如下："))
        b.table([_("序号"), _("材料名称")], _materials_rows(materials, with_state=False), [0.08, 0.92])
    b.para(_("办理期间可扫描下方二维码，凭办件编号及联系电话（或证件号码后四位）查询办理进度。"))


def _correction(b: Body, c: dict[str, Any]) -> None:
    b.para(_("%(applied)s，经审查，申请材料不齐全或者不符合法定形式。根据%(law)s第三十二条第一款第（四）项的规定，"
             "现一次性告知你（单位）需要补正的全部内容如下：") % {"applied": _applied(c), "law": LAW})
    items = c.get("items") or []
    b.table([_("序号"), _("材料名称"), _("存在的问题及补正要求")],
            [[str(i), str(it.get("name", "")), str(it.get("problem", ""))] for i, it in enumerate(items, start=1)],
            [0.08, 0.34, 0.58])
    b.para(_("以上为需要补正的全部内容，除此之外不再要求你（单位）补正其他材料。"))
    b.para(_v(c, "deadline_note") or _("请一次性补齐上述材料后到窗口（或在网上）提交；补正期间不计入办理时限。"))
    b.para(_("本机关收到全部补正材料后，将依法作出是否受理的决定；已受理的办件，自补齐之日起恢复计算办理时限。"))


def _numbered(b: Body, points: list[tuple[str, str]]) -> None:
    numerals = "一二三四五六七八九十"
    for i, (label, text) in enumerate((p for p in points if p[1]), start=0):
        b.point(f"{numerals[i]}、{label}：{_sentence(text)}")


def _refusal(b: Body, c: dict[str, Any]) -> None:
    b.para(_("%(applied)s，经审查，本机关决定不予受理。现将有关事项告知如下：") % {"applied": _applied(c)})
    _numbered(b, [
        (_("不予受理的理由"), _v(c, "reason")),
        (_("法律依据"), _v(c, "basis")),
        (_("如何才能办成"), _v(c, "way_forward")),
        (_("权利救济"), _v(c, "remedies")),
    ])


def _special(b: Body, c: dict[str, Any]) -> None:
    procedure = _v(c, "procedure", _("特别程序"))
    b.para(_("%(applied)s，本机关已依法受理。因%(reason)s需要进行%(p)s。根据%(law)s第四十五条的规定，现将有关事项告知如下：")
           % {"applied": _applied(c), "reason": _v(c, "reason").rstrip("。；;."), "p": procedure, "law": LAW})
    if c.get("counts"):
        timing = _("%(p)s所需时间计入办理时限，办理期限不因此延长，本机关仍将于%(due)s前作出决定。") % {
            "p": procedure, "due": _date(c, "due_on")}
    else:
        timing = _("依照上述规定，%(p)s所需时间不计算在本机关作出行政许可决定的期限内，办理期限自该程序结束之次日起"
                   "继续计算。按预计时间推算，作出决定的日期顺延至%(due)s，实际日期以程序结束日期为准。") % {
            "p": procedure, "due": _date(c, "due_on")}
    _numbered(b, [
        (_("程序名称"), procedure),
        (_("事由"), _v(c, "reason")),
        (_("预计所需时间"), _("%(days)s（自%(on)s起）") % {"days": _days(_v(c, "expected_days", "—")),
                                                   "on": _v(c, "issued_on", "—")}),
        (_("期限计算"), timing),
    ])
    _provisional(b, c, "due_on")
    b.para(_("程序结束后，本机关将继续办理；办理进度可扫描下方二维码查询。"))


def _extension(b: Body, c: dict[str, Any]) -> None:
    b.para(_("%(applied)s，本机关已依法受理。因%(reason)s，不能在原定期限内作出决定。经本机关负责人批准，根据%(law)s"
             "第四十二条第一款的规定，决定将办理期限延长%(days)s。")
           % {"applied": _applied(c), "reason": _v(c, "reason").rstrip("。；;."), "law": LAW,
              "days": _days(_v(c, "days", "—"))})
    b.para(_("延长后，本机关将于%(due)s前作出决定（法定办结期限届满日为%(sdue)s）。")
           % {"due": _date(c, "due_on"), "sdue": _date(c, "statutory_due_on")})
    _provisional(b, c, "due_on", "statutory_due_on")
    b.para(_("特此告知。"))


def _approval(b: Body, c: dict[str, Any]) -> None:
    basis = _v(c, "basis") or _("%(law)s第三十八条第一款") % {"law": LAW}
    b.para(_("%(applied)s，本机关已依法受理。经审查，%(reason)s") % {
        "applied": _applied(c), "reason": _sentence(_v(c, "reason", _("申请人的申请符合法定条件、标准")))})
    b.para(_("根据%(basis)s的规定，本机关决定准予行政许可。") % {"basis": basis.rstrip("。；;.")})
    result = _v(c, "result_name")
    b.para(_("根据%(law)s第四十四条的规定，本机关将自本决定作出之日（%(on)s）起十日内向你（单位）颁发、送达%(r)s。"
             "请凭本决定书到统一出件窗口领取，或选择邮寄送达。")
           % {"law": LAW, "on": _v(c, "decided_on", _v(c, "issued_on")),
              "r": f"《{result}》" if result else _("行政许可证件")})
    deferred = c.get("deferred") or []
    if deferred:
        b.para(_("你（单位）承诺后补的下列容缺材料尚未提交，请在承诺日期前补齐；逾期未补齐的，本机关将依法处理："))
        _deferred_table(b, deferred)
    b.para(_v(c, "remedies"))


def _denial(b: Body, c: dict[str, Any]) -> None:
    b.para(_("%(applied)s，本机关已依法受理。经审查，你（单位）的申请不符合法定条件、标准。根据%(law)s第三十八条第二款的规定，"
             "本机关决定不予行政许可。现将有关事项告知如下：") % {"applied": _applied(c), "law": LAW})
    _numbered(b, [
        (_("不予许可的理由"), _v(c, "reason")),
        (_("法律依据"), _v(c, "basis")),
        (_("如何才能办成"), _v(c, "way_forward")),
        (_("权利救济"), _v(c, "remedies")),
    ])


BODIES: dict[str, Callable[[Body, dict[str, Any]], None]] = {
    K.RECEIPT: _receipt,
    K.ACCEPTANCE: _acceptance,
    K.CORRECTION: _correction,
    K.REFUSAL: _refusal,
    K.SPECIAL: _special,
    K.EXTENSION: _extension,
    K.APPROVAL: _approval,
    K.DENIAL: _denial,
}


# --- the frame shared by every notice ----------------------------------------------------------------


def _facts(c: dict[str, Any], kind: str) -> list[tuple[str, str]]:
    pairs = [
        (_("办件编号"), _v(c, "case_number")),
        (_("申请事项"), _v(c, "item")),
        (_("申请人"), _v(c, "applicant")),
        (_("证件号码"), _v(c, "applicant_id", "—")),
    ]
    if c.get("agent"):
        pairs.append((_("代理人"), _v(c, "agent")))
    pairs.append((_("申请日期"), _v(c, "received_on", "—")))
    if c.get("department"):
        pairs.append((_("办理部门"), _v(c, "department")))
    if c.get("item_code"):
        pairs.append((_("事项编码"), _v(c, "item_code")))
    return pairs


def _closing(doc: PdfDocument, st: NoticeStyles, c: dict[str, Any], issuer: str) -> Flowable:
    """QR code to the progress page at the left, the issuing body, seal line and date at the right."""
    qr_size = 24 * mm * doc.styles.scale
    left = [
        QrFlowable(_v(c, "progress_url", "-"), size=qr_size),
        paragraph(_("扫码查询办理进度"), st.small_center),
    ]
    right = [
        Spacer(1, 6 * mm * doc.styles.scale),
        paragraph(issuer, st.seal),
        paragraph(_("（印章）"), st.seal),
        paragraph(_v(c, "issued_on"), st.seal),
    ]
    qr_col = qr_size + 6 * mm
    seal_col = 70 * mm
    table = Table([[left, "", right]], colWidths=[qr_col, doc.width - qr_col - seal_col, seal_col])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return table


def _contact_line(c: dict[str, Any]) -> str:
    parts = []
    if c.get("consult"):
        parts.append(_("咨询电话：%(v)s") % {"v": c["consult"]})
    if c.get("complaint"):
        parts.append(_("监督投诉：%(v)s") % {"v": c["complaint"]})
    if c.get("progress_url"):
        parts.append(_("进度查询：%(v)s") % {"v": c["progress_url"]})
    return "　".join(parts)


def _story(doc: PdfDocument, kind: str, number: str, content: dict[str, Any]) -> list[Flowable]:
    st = NoticeStyles(doc.styles)
    issuer = _v(content, "centre")
    title = str(K(kind).label)
    story: list[Flowable] = [
        paragraph(issuer, st.issuer),
        paragraph(title, st.title),
        paragraph(_("编号：%(n)s") % {"n": number}, st.number),
        HRFlowable(width="100%", thickness=0.8, color=LINE, spaceBefore=2, spaceAfter=6),
        field_table(_facts(content, kind), styles=doc.styles, width=doc.width, columns=2, label_width=20 * mm),
        paragraph(_("%(a)s：") % {"a": _v(content, "applicant")}, st.addressee),
    ]
    body = Body(doc, st)
    BODIES[kind](body, content)
    # The seal never stands on a page of its own: the last paragraph goes with it.
    last = body.story[-1:] if body.story and not isinstance(body.story[-1], Spacer | Table) else []
    story += body.story[: len(body.story) - len(last)]
    closing = [*last, Spacer(1, 5 * mm * doc.styles.scale), _closing(doc, st, content, issuer),
               Spacer(1, 4 * mm * doc.styles.scale)]
    closing.append(paragraph(
        _("申请人（代理人）签收：%(line)s　　签收日期：%(gap)s年%(gap)s月%(gap)s日")
        % {"line": "_" * 18, "gap": "\u00a0" * 7}, st.sign))
    closing.append(Spacer(1, 2 * mm))
    closing.append(HRFlowable(width="100%", thickness=0.5, color=LINE, spaceBefore=0, spaceAfter=3))
    closing.append(paragraph(_contact_line(content), st.small))
    closing.append(paragraph(_("本文书一式两份，一份交申请人，一份存入办件档案。"), st.small))
    story.append(KeepTogether(closing))
    return story


def render_notice_content(kind: str, number: str, content: dict[str, Any]) -> bytes:
    """The PDF of a notice of `kind` numbered `number`, from its frozen content."""
    if kind not in BODIES:
        raise ValueError(f"unknown notice kind: {kind}")
    title = str(K(kind).label)

    def build(scale: float) -> tuple[bytes, int]:
        doc = PdfDocument(
            title=f"{title} {number}", subject=_v(content, "case_number"), author=_v(content, "centre"),
            footer=f"{title} · {number} · {_('办件编号')} {_v(content, 'case_number')}", scale=scale,
            margin=20 * mm,
        )
        return doc.build(_story(doc, kind, number, content)), doc.page_count

    # Slightly smaller type keeps a notice on one sheet; one that needs two anyway is printed
    # at full size, since shrinking it would only make it harder to read.
    for scale in SCALES:
        pdf, pages = build(scale)
        if pages <= 1:
            return pdf
    return build(SCALES[0])[0]


def render_notice(notice: Notice) -> bytes:
    """The notice as PDF bytes; the same paper every time it is printed."""
    return render_notice_content(notice.kind, notice.number, notice.content or {})


def notice_filename(notice: Notice) -> str:
    return f"{notice.get_kind_display()}-{notice.number}.pdf"

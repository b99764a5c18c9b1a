"""The printable one-time notice of materials (一次性告知单 / 材料清单) of an item.

The clerk hands it over the counter and the applicant takes it home: it names every material,
its form and copies, what it costs, how long it takes, where to come and whom to call, and a QR
code back to the full guide. It is laid out to fit one A4 page.
"""

import datetime

from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from yichuang.core.pdf import (
    PdfDocument,
    QrFlowable,
    data_table,
    field_table,
    paragraph,
    render_fitted,
)

from .models import ItemVersion, MaterialRequirement
from .selectors import Guide


def _fees_text(version: ItemVersion) -> str:
    if version.fee_free:
        return _("不收费")
    fees = list(version.fees.all())
    if not fees:
        return _("收费（详见办事指南）")
    return "；".join(f"{fee.name}：{fee.standard}" + (f"（{fee.exemption}）" if fee.exemption else "") for fee in fees)


def _consult_text(guide: Guide) -> str:
    version = guide.version
    phone = version.department.phone
    if phone and phone not in version.consult_channel:
        return f"{version.consult_channel}；{_('部门电话')} {phone}"
    return version.consult_channel


def _material_row(number: int, material: MaterialRequirement) -> list[str]:
    source = material.get_source_display()
    if material.source_note:
        source = f"{source}（{material.source_note}）"
    # Electronic-only materials are uploaded, not handed over on paper.
    copies = "—" if material.form == MaterialRequirement.Form.ELECTRONIC else str(material.paper_copies)
    remarks = "\n".join(part for part in (material.acceptance_standard, material.notes) if part)
    return [
        str(number), material.name, material.get_kind_display(), material.get_form_display(),
        copies, material.get_necessity_display(), source, remarks,
    ]


def _story(doc: PdfDocument, guide: Guide, printed_on: datetime.date) -> list:
    s = doc.styles
    version = guide.version
    story = [
        paragraph(guide.centre_name, s.subtitle),
        paragraph(_("一次性告知单"), s.title),
        paragraph(_("（申请材料清单）"), s.subtitle),
    ]
    if guide.suspended:
        notice = s.body.clone("notice", textColor="#b42318")
        story.append(paragraph(_("注意：本事项目前暂停办理，恢复办理时间请先电话咨询。"), notice))
    story.append(Spacer(1, 2 * mm))
    handling = version.get_handling_type_display()
    story.append(field_table([
        (_("事项名称"), version.name),
        (_("实施编码"), guide.code),
        (_("实施主体"), version.department.name),
        (_("事项类型"), f"{version.item_type.name} · {handling}"),
        (_("法定办结时限"), guide.statutory_limit_label),
        (_("承诺办结时限"), guide.promised_limit_label),
        (_("到现场次数"), guide.visits_label),
        (_("收费"), _fees_text(version)),
    ], styles=s, width=doc.width, columns=2, label_width=22 * mm))
    story.append(paragraph(_("申请材料"), s.heading))
    width = doc.width
    story.append(data_table(
        [_("序号"), _("材料名称"), _("类型"), _("形式"), _("份数"), _("必要性"), _("来源渠道"), _("受理标准及说明")],
        [_material_row(i, m) for i, m in enumerate(guide.materials, start=1)],
        styles=s,
        col_widths=[w * width for w in (0.055, 0.21, 0.08, 0.1, 0.055, 0.09, 0.16, 0.25)],
        center_columns=(0, 2, 3, 4, 5),
    ))
    notes = [_("请按本清单准备材料。材料不齐全或者不符合法定形式的，窗口将一次性告知需要补正的全部内容。")]
    if guide.has_deferrable_materials:
        notes.append(_("标注「容缺后补」的材料暂缺时可先行受理，请按窗口告知的期限补齐。"))
    story.append(Spacer(1, 1.5 * mm))
    for note in notes:
        story.append(paragraph(note, s.small))
    story.append(Spacer(1, 4 * mm))

    qr_width = 34 * mm
    where = field_table([
        (_("办理地点"), version.place),
        (_("办理时间"), version.hours),
        (_("咨询方式"), _consult_text(guide)),
        (_("监督投诉"), version.complaint_channel),
    ], styles=s, width=width - qr_width, columns=1, label_width=22 * mm)
    printed = _("打印日期：%(date)s　依据第 %(no)d 版办事指南") % {
        "date": f"{printed_on.year}年{printed_on.month}月{printed_on.day}日", "no": version.version_no,
    }
    left = [
        where,
        Spacer(1, 2 * mm),
        paragraph(_("办事指南网址：%(url)s") % {"url": guide.public_url}, s.small),
        paragraph(printed, s.small),
    ]
    right = [
        QrFlowable(guide.public_url, size=28 * mm * s.scale),
        paragraph(_("扫码查看办事指南"), s.small_center),
    ]
    bottom = Table([[left, right]], colWidths=[width - qr_width, qr_width])
    bottom.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 0), (1, 0), "CENTER"),
        ("LEFTPADDING", (0, 0), (0, 0), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("LEFTPADDING", (1, 0), (1, 0), 4 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    story.append(bottom)
    return story


def render_checklist(guide: Guide, *, printed_on: datetime.date) -> bytes:
    """The checklist as PDF bytes, fitted to one A4 page when the materials allow."""
    version = guide.version
    return render_fitted(
        lambda doc: _story(doc, guide, printed_on),
        title=_("一次性告知单：%(name)s") % {"name": version.name},
        subject=guide.code,
        author=guide.centre_name,
        footer=f"{guide.centre_name} · {version.name}",
        max_pages=1,
    )

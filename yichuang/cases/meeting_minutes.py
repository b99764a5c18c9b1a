"""The minutes of a joint meeting (会议纪要) as PDF, with every deemed consent marked."""

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from yichuang.core.pdf import data_table, field_table, paragraph, render_fitted

from .models import JointMeeting, MeetingInvitation


def _d(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def _opinion(invitation: MeetingInvitation) -> str:
    if not invitation.opinion:
        return _("未提交")
    text = invitation.get_opinion_display()
    if invitation.deemed:
        return _("视为同意（%(d)s）") % {"d": invitation.get_deemed_display()}
    return text


def render_minutes(meeting: JointMeeting) -> bytes:
    centre = meeting.centre.name if meeting.centre_id else ""
    invitations = list(meeting.invitations.select_related("department").order_by("id"))

    def story(doc):
        s = doc.styles
        out = [
            paragraph(centre, s.subtitle),
            paragraph(_("%(k)s会议纪要") % {"k": meeting.get_kind_display()}, s.title),
            Spacer(1, 2 * mm),
            field_table([
                (_("议题"), meeting.title),
                (_("对象"), meeting.subject_label or (meeting.case.number if meeting.case_id else "")),
                (_("日期"), _d(meeting.held_on)),
                (_("地点"), meeting.place or "—"),
                (_("牵头人"), str(meeting.coordinator or "")),
                (_("意见截止日"), _d(meeting.opinion_deadline)),
                (_("闭会时间"), _d(timezone.localdate(meeting.closed_at)) if meeting.closed_at else _("未闭会")),
                (_("会议结论"), meeting.get_result_display()),
            ], styles=s, width=doc.width, columns=2, label_width=22 * mm),
            paragraph(_("各部门出席及意见"), s.heading),
            data_table(
                [_("序号"), _("部门"), _("出席"), _("意见"), _("条件或理由"), _("提交时间")],
                [[str(i), inv.department.name, inv.get_attendance_display(), _opinion(inv), inv.text or "—",
                  timezone.localtime(inv.recorded_at).strftime("%Y-%m-%d %H:%M") if inv.recorded_at else "—"]
                 for i, inv in enumerate(invitations, start=1)],
                styles=s, col_widths=[w * doc.width for w in (0.06, 0.24, 0.1, 0.18, 0.27, 0.15)],
                center_columns=(0, 2),
            ),
            Spacer(1, 3 * mm),
        ]
        deemed = [inv for inv in invitations if inv.deemed]
        if deemed:
            out.append(paragraph(_("视为同意的说明"), s.heading))
            for inv in deemed:
                if inv.deemed == MeetingInvitation.Deemed.SILENT:
                    line = _("%(d)s 在意见截止日（%(dl)s）前未提交意见，按规定视为同意（超时默许）。")
                else:
                    line = _("%(d)s 受邀未出席会议，且未提交书面意见，按规定视为同意（缺席默认）。")
                out.append(paragraph(line % {"d": inv.department.name, "dl": _d(meeting.opinion_deadline)}, s.body))
        return out

    return render_fitted(story, title=_("会议纪要：%(t)s") % {"t": meeting.title}, max_pages=3,
                         author=centre, footer=f"{centre} · {meeting.title}")

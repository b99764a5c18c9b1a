"""Joint meetings (联审 / 联合踏勘 / 联合验收): opinions by the deadline, silence and absence as consent."""

import datetime

import pytest

from yichuang.cases.errors import CaseActionError
from yichuang.cases.meetings import (
    meeting_attendance_record,
    meeting_close,
    meeting_convene,
    meeting_opinion_record,
    meetings_close_due,
)
from yichuang.cases.models import JointMeeting, MeetingInvitation
from yichuang.core.models import AuditEntry
from yichuang.org.models import Department

from .conftest import _staff, at

D = datetime.date


@pytest.fixture
def zhzf(county):
    return Department.objects.create(code="ZHZF", name="示例县综合行政执法局", region=county["county"],
                                     centre=county["centre"])


@pytest.fixture
def people(staff, county, zhzf):
    return {
        "coordinator": staff["clerk"],
        "scjg": staff["approver"],
        "wjj": _staff("wjj_approver", "approver", department=county["wjj"], centre=county["centre"]),
        "zhzf": _staff("zhzf_reviewer", "reviewer", department=zhzf, centre=county["centre"]),
    }


@pytest.fixture
def meeting(people, county, zhzf, receive):
    case = receive()
    # Convened Monday 2 Nov for Wednesday 4 Nov; opinions within 3 working days: by Monday 9 Nov.
    return meeting_convene(actor=people["coordinator"], kind="site", title="好味道餐饮店联合踏勘",
                           departments=[county["scjg"], county["wjj"], zhzf], held_on=D(2026, 11, 4),
                           opinion_days=3, place="城关镇人民路 8 号", case=case, at=at("2026-11-02"))


def test_the_opinion_deadline_is_counted_in_working_days(meeting):
    assert meeting.opinion_deadline == D(2026, 11, 9)


def test_silence_at_the_deadline_is_consent_and_is_marked(meeting, people, county, zhzf):
    meeting_opinion_record(actor=people["scjg"], meeting=meeting, opinion="agree", at=at("2026-11-04"))
    meeting_opinion_record(actor=people["wjj"], meeting=meeting, opinion="conditions", text="开业前完成消毒间改造",
                           at=at("2026-11-05"))
    closed = meetings_close_due(today=D(2026, 11, 10))
    assert closed == 1
    meeting.refresh_from_db()
    silent = meeting.invitations.get(department=zhzf)
    assert silent.opinion == "agree" and silent.deemed == MeetingInvitation.Deemed.SILENT
    assert meeting.state == JointMeeting.State.CLOSED and meeting.result == JointMeeting.Result.CONDITIONS
    assert meeting.events.filter(action="deemed_consent", summary__contains="超时默许").count() == 1
    entry = AuditEntry.objects.get(action="meeting.deemed_consent")
    assert "超时默许" in entry.note and zhzf.name in entry.note
    assert meeting.minutes_pdf.read().startswith(b"%PDF")
    assert meeting.case.events.filter(action="meeting_closed").exists()


def test_an_absent_department_is_consent(meeting, people, county, zhzf):
    meeting_attendance_record(actor=people["coordinator"], meeting=meeting, department=county["wjj"], present=False,
                              at=at("2026-11-04"))
    meeting_attendance_record(actor=people["coordinator"], meeting=meeting, department=county["scjg"], present=True,
                              attendee="张卫东", at=at("2026-11-04"))
    meeting_opinion_record(actor=people["scjg"], meeting=meeting, opinion="agree", at=at("2026-11-04"))
    meeting_opinion_record(actor=people["zhzf"], meeting=meeting, opinion="agree", at=at("2026-11-06"))
    meeting_close(meeting=meeting, at=at("2026-11-10", 1))
    absent = meeting.invitations.get(department=county["wjj"])
    assert absent.opinion == "agree" and absent.deemed == MeetingInvitation.Deemed.ABSENT
    assert AuditEntry.objects.filter(action="meeting.deemed_consent", note__contains="缺席默认").count() == 1
    meeting.refresh_from_db()
    assert meeting.result == JointMeeting.Result.AGREED


def test_an_opinion_after_the_deadline_is_refused_with_the_deadline_shown(meeting, people):
    with pytest.raises(CaseActionError) as err:
        meeting_opinion_record(actor=people["zhzf"], meeting=meeting, opinion="agree", at=at("2026-11-10"))
    assert "2026年11月9日" in err.value.messages[0]
    # On the deadline day itself it is still accepted.
    meeting_opinion_record(actor=people["zhzf"], meeting=meeting, opinion="agree", at=at("2026-11-09", 17))


def test_a_disagreement_needs_reasons_and_makes_the_result_disagreed(meeting, people):
    with pytest.raises(CaseActionError):
        meeting_opinion_record(actor=people["wjj"], meeting=meeting, opinion="disagree", at=at("2026-11-04"))
    meeting_opinion_record(actor=people["wjj"], meeting=meeting, opinion="disagree", text="排烟口距住宅不足 10 米",
                           at=at("2026-11-04"))
    meeting = meeting_close(meeting=meeting, at=at("2026-11-10"))
    assert meeting.result == JointMeeting.Result.DISAGREED


def test_a_meeting_is_not_closed_before_its_deadline(meeting):
    assert meetings_close_due(today=D(2026, 11, 9)) == 0
    with pytest.raises(CaseActionError, match="期限届满后"):
        meeting_close(meeting=meeting, at=at("2026-11-09"))


def test_a_department_not_invited_cannot_give_an_opinion(meeting, staff, county):
    outsider = _staff("jtj", "approver", department=Department.objects.create(
        code="JTJ", name="交通运输局", region=county["county"]))
    with pytest.raises(CaseActionError, match="不在本次会议"):
        meeting_opinion_record(actor=outsider, meeting=meeting, opinion="agree", at=at("2026-11-04"))


def test_closing_twice_changes_nothing(meeting):
    meeting_close(meeting=meeting, at=at("2026-11-10"))
    meeting_close(meeting=meeting, at=at("2026-11-11"))
    assert meeting.events.filter(action="close").count() == 1

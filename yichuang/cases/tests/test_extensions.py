"""Extending the limit (行政许可法第四十二条): the item's own rule, the approver, the reason, and the applicant told.

The law gives ten working days with the head's approval "unless a law or regulation says
otherwise"; each item version carries the rule that applies to it (`extension_limit`).
"""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yichuang.cases import services
from yichuang.cases.errors import CaseActionError, CasePermissionDenied
from yichuang.cases.forms_office import offered_actions
from yichuang.cases.models import Case, Extension, Notice
from yichuang.cases.notice_pdf import render_notice
from yichuang.cases.notifications import tell_applicant
from yichuang.catalog.models import ItemVersion
from yichuang.catalog.services import item_upsert
from yichuang.core import notify
from yichuang.core.calendar import add_workdays
from yichuang.core.models import AuditEntry, SmsMessage
from yichuang.core.tests.pdftext import extract_text

from .conftest import at, food_licence_data

D = datetime.date
ACCEPTED_ON = D(2026, 11, 2)


def _version(**changes) -> ItemVersion:
    """The conftest item (statutory 20, promised 5) republished with `changes`."""
    version, _ = item_upsert(actor=None, data=food_licence_data(**changes))
    return version


def _accepted(receive, staff, version=None) -> Case:
    case = receive(version=version)
    return services.case_accept(actor=staff["clerk"], case=case, expected_version=case.version, at=at("2026-11-02"))


def _request(case, staff, days, reason="需向相关部门征求意见"):
    return services.case_extension_request(actor=staff["reviewer"], case=case, days=days, reason=reason,
                                           expected_version=case.version, at=at("2026-11-03"))


def _grant(case, staff, approve=True):
    case.refresh_from_db()
    return services.case_extension_decide(actor=staff["approver"], case=case, approve=approve,
                                          expected_version=case.version, at=at("2026-11-04"))


# ---------------------------------------------------------------- the item's rule


def test_an_extension_beyond_the_items_rule_is_refused_and_names_the_limit(receive, staff, item):
    case = _accepted(receive, staff, _version(extension_limit=5))
    with pytest.raises(CaseActionError) as err:
        _request(case, staff, 6)
    assert err.value.code == "days"
    assert "依法最多可延长 5 个工作日" in err.value.messages[0] and "1 至 5" in err.value.messages[0]
    assert not case.extensions.exists()
    assert AuditEntry.objects.filter(action="case.extension_request.refused", object_id=str(case.pk)).exists()
    # Up to the rule is fine; and once used, nothing more may be asked for.
    _request(case, staff, 5)
    case = _grant(case, staff)
    assert case.extension_days == 5
    with pytest.raises(CaseActionError, match="依法最多可延长 5 个工作日，已全部延长"):
        _request(case, staff, 1)


def test_what_is_left_of_the_rule_may_be_asked_for_in_a_second_request(receive, staff, item):
    case = _accepted(receive, staff)
    _request(case, staff, 4)
    case = _grant(case, staff)
    with pytest.raises(CaseActionError, match="已延长 4 个，本次最多还可申请 6 个工作日"):
        _request(case, staff, 7)
    _request(case, staff, 6)
    assert _grant(case, staff).extension_days == 10


def test_an_item_allowing_15_days_extends_by_exactly_15_working_days(receive, staff, item):
    case = _accepted(receive, staff, _version(extension_limit=15))
    before_due, before_statutory = case.due_date, case.statutory_due_date
    assert before_statutory == add_workdays(ACCEPTED_ON, 20).date
    _request(case, staff, 15, reason="需进行专家评审")
    case = _grant(case, staff)
    assert case.extension_days == 15
    assert case.statutory_due_date == add_workdays(before_statutory, 15).date == add_workdays(ACCEPTED_ON, 35).date
    assert case.due_date == add_workdays(before_due, 15).date
    notice = case.notices.get(kind=Notice.Kind.EXTENSION)
    assert notice.content["days"] == 15 and notice.content["reason"] == "需进行专家评审"
    text = "".join(extract_text(render_notice(notice)).split())
    due = case.due_date
    assert "延长15个工作日" in text and f"{due.year}年{due.month}月{due.day}日" in text


def test_an_item_whose_law_allows_no_extension_refuses_one(receive, staff, item):
    case = _accepted(receive, staff, _version(extension_limit=0))
    with pytest.raises(CaseActionError) as err:
        _request(case, staff, 1)
    assert err.value.code == "no_extension_allowed"
    assert "依法不得延长办理期限" in err.value.messages[0]
    # The case page does not offer what the law forbids.
    offered = offered_actions(staff["reviewer"], case, open_steps=[], allowed_procedures=[], pending_extension=None)
    assert offered.extension_request is False


def test_the_default_is_the_statutory_ten_working_days(receive, staff, item):
    case = _accepted(receive, staff)
    with pytest.raises(CaseActionError, match="依法最多可延长 10 个工作日"):
        _request(case, staff, 11)
    offered = offered_actions(staff["reviewer"], case, open_steps=[], allowed_procedures=[], pending_extension=None)
    assert offered.extension_request is True


def test_a_case_keeps_the_rule_of_the_version_it_was_accepted_under(receive, staff, item):
    case = _accepted(receive, staff, _version(extension_limit=15))
    _version(extension_limit=0)  # the law changes afterwards
    _request(case, staff, 15)
    assert _grant(case, staff).extension_days == 15


@given(limit=st.integers(0, 60), used=st.integers(0, 60), days=st.integers(-3, 70))
def test_the_rule_allows_exactly_one_to_what_is_left(limit, used, days):
    case = Case(item_version=ItemVersion(name="事项", extension_limit=limit), extension_days=used)
    allowed = limit > 0 and 1 <= days <= limit - used
    try:
        services._check_extension_days(case, days)
    except CaseActionError as err:
        assert not allowed
        assert str(limit) in err.messages[0] or "不得延长" in err.messages[0]
    else:
        assert allowed


# ---------------------------------------------------------------- the approver, the reason


def test_only_the_approver_grants_and_a_reason_is_required(receive, staff, item):
    case = _accepted(receive, staff)
    with pytest.raises(CaseActionError, match="请写明延期理由"):
        _request(case, staff, 3, reason="  ")
    _request(case, staff, 3)
    case.refresh_from_db()
    with pytest.raises(CasePermissionDenied):
        services.case_extension_decide(actor=staff["reviewer"], case=case, approve=True, expected_version=case.version)
    assert case.extensions.get().state == Extension.State.REQUESTED


def test_a_refused_request_moves_nothing_and_tells_nobody(receive, staff, item):
    case = _accepted(receive, staff)
    due = case.statutory_due_date
    _request(case, staff, 5)
    case = _grant(case, staff, approve=False)
    assert case.extension_days == 0 and case.statutory_due_date == due
    assert not SmsMessage.objects.filter(template="extension_granted").exists()
    assert not case.notices.filter(kind=Notice.Kind.EXTENSION).exists()


# ---------------------------------------------------------------- the applicant is told


def test_the_applicant_gets_one_sms_even_when_the_worker_retries(
        receive, staff, item, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.DATA_DIR = tmp_path
    settings.SMS_BACKEND = "yichuang.core.notify.LocalFileSMSBackend"
    case = _accepted(receive, staff, _version(extension_limit=15))
    _request(case, staff, 15, reason="需进行专家评审")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case = _grant(case, staff)
    assert callbacks, "the SMS is handed to the worker only after the commit"
    message = SmsMessage.objects.get(template="extension_granted")
    # The worker runs the task again (a retry, a second worker): it is sent once.
    notify.sms_send(message.pk)
    notify.sms_send(message.pk)
    # The service's own SMS call repeated for the same event queues nothing.
    event = case.events.get(action="extension_decide")
    assert tell_applicant(case, "extension_granted", event_id=event.pk, days=15, reason="x") is None
    assert SmsMessage.objects.filter(template="extension_granted").count() == 1
    sent = [line for line in notify.outbox_path().read_text(encoding="utf-8").splitlines() if "延长" in line]
    assert len(sent) == 1
    message.refresh_from_db()
    due = case.due_date
    assert message.status == SmsMessage.Status.SENT and message.phone == "13800138000"
    assert case.number in message.text and "食品经营许可" in message.text
    assert "延长 15 个工作日" in message.text and "专家评审" in message.text
    assert f"{due.year}年{due.month}月{due.day}日" in message.text
    # Deciding again finds nothing pending: no second message.
    with pytest.raises(CaseActionError):
        _grant(case, staff)
    assert SmsMessage.objects.filter(template="extension_granted").count() == 1


def test_a_long_reason_is_shortened_in_the_sms_and_kept_whole_in_the_notice(receive, staff, item):
    case = _accepted(receive, staff)
    reason = "需会同自然资源、住房城乡建设、生态环境、应急管理等部门进行联合现场踏勘并征求意见" * 2
    _request(case, staff, 10, reason=reason)
    case = _grant(case, staff)
    message = SmsMessage.objects.get(template="extension_granted")
    assert len(message.params["reason"]) == 40 and message.params["reason"].endswith("…")
    assert case.notices.get(kind=Notice.Kind.EXTENSION).content["reason"] == reason


def test_the_progress_page_and_the_online_timeline_read_the_extension(receive, staff, item):
    from yichuang.cases.progress import progress_of
    from yichuang.cases.selectors_online import case_timeline

    case = _accepted(receive, staff)
    _request(case, staff, 10)
    case = _grant(case, staff)
    assert any("依法延长 10 个工作日" in entry.text for entry in progress_of(case).timeline)
    decided = [e for e in case_timeline(case) if e.action == "extension_decide"]
    assert [(e.text, e.detail) for e in decided] == [("延长办理期限的申请已审批", "已批准")]

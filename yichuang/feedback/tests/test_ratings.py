import datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from yichuang.feedback import rules, selectors, services
from yichuang.feedback.errors import FeedbackError, RatingLinkRefused
from yichuang.feedback.models import Rating, Rectification, RectificationStep

from .conftest import at


def rate(case, level=5, channel="sms", **kw):
    return services.rating_submit(actor=None, channel=channel, case=case, level=level, at=at("2026-11-04", 9), **kw)


def test_a_rating_is_tied_to_case_item_department_window_and_staff(closed_case, staff):
    rating = rate(closed_case, 4, indicators={"efficiency": 5, "guide": 4}, comment="很快")
    assert rating.item == closed_case.item_version.item
    assert rating.department == closed_case.department
    assert rating.window == closed_case.window
    assert rating.staff == staff["clerk"]
    assert rating.indicators == {"efficiency": 5, "guide": 4, "overall": 4}
    assert not hasattr(rating, "rectification") or Rectification.objects.filter(rating=rating).count() == 0


def test_a_second_rating_for_the_same_case_and_channel_is_refused(closed_case):
    rate(closed_case, 5, channel="sms")
    with pytest.raises(FeedbackError, match="只能评价一次"):
        rate(closed_case, 1, channel="sms")
    # another channel is another rating
    rate(closed_case, 4, channel="online")
    assert Rating.objects.filter(case=closed_case).count() == 2


def test_online_rating_waits_for_the_result(receive):
    case = receive("2026-11-02")
    with pytest.raises(FeedbackError, match="尚未办结"):
        rate(case, 5, channel="online")


def test_indicators_of_the_other_set_are_refused(closed_case):
    with pytest.raises(FeedbackError, match="不属于"):
        rate(closed_case, 5, channel="online", indicators={"attitude": 5})


def test_real_name_needs_a_name(closed_case):
    with pytest.raises(ValidationError):
        rate(closed_case, 2, real_name=True)


def test_a_bad_rating_opens_rectification_with_its_deadline_in_working_days(closed_case):
    rating = rate(closed_case, 2, comment="等了很久", real_name=True, rater_name="王小明")
    rect = rating.rectification
    assert rect.state == Rectification.State.OPEN
    assert rect.total_days == 15
    # Rated Wednesday 2026-11-04: 15 working days later (no holidays in between) is Wednesday 2026-11-25.
    assert rect.opened_on == datetime.date(2026, 11, 4)
    assert rect.due_date == datetime.date(2026, 11, 25)
    kinds = list(rect.steps.values_list("kind", "state", "due_date"))
    assert [k for k, _s, _d in kinds] == ["verify", "rectify", "reply", "callback", "review"]
    assert kinds[0][1] == "open" and all(s == "waiting" for _k, s, _d in kinds[1:])
    assert kinds[0][2] == datetime.date(2026, 11, 6)  # 2 working days
    assert kinds[1][2] == datetime.date(2026, 11, 18)  # +8
    assert rating.rater_phone == closed_case.contact_phone or rating.rater_phone


def test_rectification_budget_is_configurable_per_centre(closed_case, county):
    from yichuang.feedback.models import FeedbackSettings

    FeedbackSettings.objects.create(centre=county["centre"], verify_days=1, rectify_days=3, reply_days=1,
                                    callback_days=1, review_days=1)
    rect = rate(closed_case, 1).rectification
    assert rect.total_days == 7
    assert rect.due_date == datetime.date(2026, 11, 13)


def _walk(rect, staff, upto="review"):
    steps = [("verify", staff["reviewer"], {}), ("rectify", staff["reviewer"], {}),
             ("reply", staff["reviewer"], {"answer": "已批评教育窗口人员，并优化叫号。"}),
             ("callback", staff["supervisor"], {"outcome": "reached", "level_after": 4}),
             ("review", staff["supervisor"], {})]
    for kind, actor, extra in steps:
        rect = services.rectification_step_complete(actor=actor, rectification=rect, kind=kind, note=f"{kind} 完成",
                                                    at=at("2026-11-05", 10), **extra)
        if kind == upto:
            break
    return rect


def test_rectification_runs_through_every_step_and_the_applicant_sees_the_answer(closed_case, staff):
    rating = rate(closed_case, 1, real_name=True, rater_name="王小明")
    rect = _walk(rating.rectification, staff)
    rect.refresh_from_db()
    assert rect.state == Rectification.State.DONE and not rect.finished_late
    assert rect.answer.startswith("已批评")
    assert selectors.rating_by_token(rating.token).rectification.answer == rect.answer
    assert list(rating.events.values_list("action", flat=True)) == [
        "rate", "rectification_open", "step_verify", "step_rectify", "step_reply", "step_callback", "step_review"]


def test_rectification_steps_are_done_by_the_right_people(closed_case, staff):
    rect = rate(closed_case, 1).rectification
    with pytest.raises(FeedbackError, match="须由"):
        services.rectification_step_complete(actor=staff["other_reviewer"], rectification=rect, kind="verify", note="x")
    rect = _walk(rect, staff, upto="reply")
    with pytest.raises(FeedbackError, match="电子监察"):
        services.rectification_step_complete(actor=staff["reviewer"], rectification=rect, kind="callback", note="x",
                                             outcome="reached")


def test_a_callback_not_answered_keeps_the_step_open(closed_case, staff):
    rect = _walk(rate(closed_case, 1).rectification, staff, upto="reply")
    services.rectification_step_complete(actor=staff["supervisor"], rectification=rect, kind="callback",
                                         note="无人接听", outcome="not_reached")
    step = rect.steps.get(kind="callback")
    assert step.state == RectificationStep.State.OPEN and step.data["attempts"] == 1


def test_review_can_send_it_back_to_rectify(closed_case, staff):
    rect = _walk(rate(closed_case, 1).rectification, staff, upto="callback")
    services.rectification_step_complete(actor=staff["supervisor"], rectification=rect, kind="review",
                                         note="整改不到位", passed=False)
    assert rect.steps.get(kind="rectify").state == "open"
    assert rect.steps.get(kind="review").state == "waiting"


def test_rectification_alarms_yellow_red_overdue(closed_case):
    rect = rate(closed_case, 1).rectification  # verify due 2026-11-06
    services.rectification_alarms_refresh(today=datetime.date(2026, 11, 5))
    assert rect.steps.get(kind="verify").alarm == "yellow"
    services.rectification_alarms_refresh(today=datetime.date(2026, 11, 6))
    assert rect.steps.get(kind="verify").alarm == "red"
    services.rectification_alarms_refresh(today=datetime.date(2026, 11, 9))
    rect.refresh_from_db()
    assert rect.steps.get(kind="verify").alarm == "overdue" and rect.alarm == "overdue"


def test_an_appeal_upheld_removes_the_rating_from_the_figures(closed_case, staff):
    rate(closed_case, 5, channel="online")
    rating = rate(closed_case, 1, channel="sms")
    day = datetime.date(2026, 11, 4)
    before = selectors.rating_summary(start=day, end=day, window_id=closed_case.window_id)
    assert before["total"] == 2 and before["bad"] == 1 and before["bad_rate"] == 50.0
    appeal = services.appeal_request(actor=staff["clerk"], rating=rating, reason="申请人在窗口误触，当场已说明满意。")
    with pytest.raises(FeedbackError, match="电子监察"):
        services.appeal_decide(actor=staff["clerk"], appeal=appeal, uphold=True, reason="x")
    services.appeal_decide(actor=staff["supervisor"], appeal=appeal, uphold=True, reason="监控录像证实为误触")
    after = selectors.rating_summary(start=day, end=day, window_id=closed_case.window_id)
    assert after["total"] == 1 and after["bad"] == 0 and after["excluded"] == 1
    assert after["satisfaction_rate"] == 100.0
    rating.refresh_from_db()
    assert rating.state == "excluded" and rating.rectification.state == "withdrawn"
    counts = selectors.rating_counts_by(start=day, end=day, field="window")
    assert counts == [{"id": closed_case.window_id, "total": 1, "satisfied": 1, "bad": 0,
                       "satisfaction_rate": 100.0, "bad_rate": 0.0}]


def test_an_appeal_rejected_needs_a_reason_and_keeps_the_rating(closed_case, staff):
    rating = rate(closed_case, 2)
    appeal = services.appeal_request(actor=staff["reviewer"], rating=rating, reason="评价内容与本窗口无关，系误评。")
    with pytest.raises(FeedbackError, match="理由"):
        services.appeal_decide(actor=staff["supervisor"], appeal=appeal, uphold=False, reason=" ")
    services.appeal_decide(actor=staff["supervisor"], appeal=appeal, uphold=False, reason="评价属实")
    rating.refresh_from_db()
    assert rating.state == "valid" and rating.rectification.state == "open"


def test_the_sms_link_is_signed_and_an_expired_or_altered_link_is_refused(closed_case, settings):
    token = services.rating_link_token(closed_case)
    services.rating_link_check(number=closed_case.number, token=token, max_age_days=30)
    with pytest.raises(RatingLinkRefused, match="无效"):
        services.rating_link_check(number=closed_case.number, token=token[:-2] + "xx", max_age_days=30)
    with pytest.raises(RatingLinkRefused, match="不属于"):
        other = signing.TimestampSigner(salt=services.RATING_LINK_SALT).sign("SLX2026110299999")
        services.rating_link_check(number=closed_case.number, token=other, max_age_days=30)
    with pytest.raises(RatingLinkRefused, match="过期"):
        services.rating_link_check(number=closed_case.number, token=token, max_age_days=0)


def test_delivery_sends_the_rating_invitation_once(closed_case):
    from yichuang.core.models import SmsMessage

    texts = list(SmsMessage.objects.filter(template="rating_invitation").values_list("text", flat=True))
    assert len(texts) == 1 and f"/feedback/rate/{closed_case.number}/?t=" in texts[0]


def test_indicator_sets_follow_the_channel():
    assert [k for k, _l in rules.indicator_set("pad", None)] == ["overall", "efficiency", "skill", "attitude"]
    assert [k for k, _l in rules.indicator_set("online", "window")][-1] == "usability"
    assert rules.indicator_set("hotline", "online") == rules.ONLINE_INDICATORS

"""Which supervision tabs a user may open (the pages themselves check again)."""

from django import template

from yichuang.supervision import selectors

register = template.Library()


@register.simple_tag
def supervision_nav(user) -> dict:
    return {
        "alarms": selectors.can_see_alarms(user),
        "statistics": selectors.can_see_statistics(user),
        "supervisor": selectors.can_supervise(user),
        "unread": selectors.unread_count(user),
    }


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(str(key), "")


@register.simple_tag
def rule_text(rule) -> str:
    """A rule in words: “每件扣 2 分（免扣 1 件，最多扣 10 分）”, “低于 95% 扣 5 分”."""
    from decimal import Decimal

    from django.utils.translation import gettext as _

    from yichuang.supervision.models import AssessmentMetric

    def n(value: Decimal) -> str:
        return f"{value.normalize():f}"

    verb = _("扣") if rule.points < 0 else _("加")
    amount = n(abs(rule.points))
    if rule.metric == AssessmentMetric.SATISFACTION_BELOW:
        text = _("满意率低于 %(t)s%% %(v)s %(p)s 分") % {"t": n(rule.threshold or Decimal(0)), "v": verb, "p": amount}
    elif rule.metric == AssessmentMetric.SATISFACTION_AT_LEAST:
        text = _("满意率达到 %(t)s%% %(v)s %(p)s 分") % {"t": n(rule.threshold or Decimal(0)), "v": verb, "p": amount}
    else:
        text = _("每件（次、天）%(v)s %(p)s 分") % {"v": verb, "p": amount}
        if rule.threshold:
            text += _("，前 %(t)s 件不计") % {"t": n(rule.threshold)}
    if rule.cap is not None:
        text += _("，最多%(v)s %(c)s 分") % {"v": verb, "c": n(rule.cap)}
    return text

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
    from yichuang.supervision.services_assessment import rule_words

    return rule_words(rule)

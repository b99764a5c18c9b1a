"""Wording of the public guides, shared with the printed checklist and the API (see selectors)."""

from django import template

from yichuang.catalog.selectors import limit_label, visits_label

register = template.Library()


@register.filter(name="visits_label")
def visits_label_filter(visits: int) -> str:
    return visits_label(visits)


@register.filter(name="limit_label")
def limit_label_filter(days: int) -> str:
    return limit_label(days)

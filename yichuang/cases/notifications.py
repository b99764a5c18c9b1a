"""SMS to the applicant at the moments the law and the centre promise to tell them."""

from yichuang.core.notify import sms_enqueue

from .models import Case


def _base(case: Case) -> dict:
    return {"item": case.item_version.name, "number": case.number}


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else ""


def tell_applicant(case: Case, moment: str, *, event_id: int, **extra) -> None:
    """Queue the SMS for `moment` (a template name); keyed by the event so it goes once."""
    params = _base(case)
    if moment in ("accepted", "extension_granted"):
        params["due"] = _date(case.due_date)
    elif moment == "ready_for_pickup":
        params["place"] = case.centre.name
    params.update({k: (str(v) if not isinstance(v, int) else v) for k, v in extra.items()})
    sms_enqueue(phone=case.contact_phone, template=moment, params=params,
                event_key=f"case:{case.pk}:{moment}:{event_id}")

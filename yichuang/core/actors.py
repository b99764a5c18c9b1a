"""Who did something: a staff account, an applicant's portal account, or the system."""

from django.contrib.auth import get_user_model


def staff_user(actor):
    """The staff account behind `actor`, for foreign keys; None for applicants and the system."""
    return actor if isinstance(actor, get_user_model()) and actor.is_authenticated else None

from django.core.exceptions import ValidationError


class HallError(ValidationError):
    """An action in the hall that cannot be done: the message says why and what to do instead."""


class HallPermissionDenied(HallError):
    """The actor may not operate this window or see this centre."""


class HallConflict(HallError):
    """The ticket changed since the page was drawn (another window called it); reload."""

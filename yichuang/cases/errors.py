from django.core.exceptions import ValidationError


class CaseActionError(ValidationError):
    """An action on a case that cannot be done: the message says why and what to do."""


class CasePermissionDenied(CaseActionError):
    """The actor's role or department does not allow the action."""


class CaseConflict(CaseActionError):
    """Somebody else changed the case first; the client should reload and try again."""

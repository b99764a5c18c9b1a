from django.core.exceptions import ValidationError


class ProjectError(ValidationError):
    """An action on a project that cannot be done: the message says why and what to do."""


class ProjectPermissionDenied(ProjectError):
    """The actor's role or department does not allow the action."""

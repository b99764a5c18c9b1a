from django.core.exceptions import ValidationError


class FeedbackError(ValidationError):
    """A rating, rectification, callback or complaint action that cannot be done; the message says why."""


class FeedbackPermissionDenied(FeedbackError):
    """The actor's role, department or centre does not allow the action."""


class RatingLinkRefused(FeedbackError):
    """An SMS rating link that is expired, altered or for another case."""

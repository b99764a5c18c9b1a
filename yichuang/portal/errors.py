from django.core.exceptions import ValidationError


class PortalError(ValidationError):
    """An applicant's request that cannot be done: the message says why and what to do.

    `retry_at` is set when the answer is "not now" (a lock or a rate limit), so pages and the API
    can show the time.
    """

    def __init__(self, message, code=None, params=None, *, retry_at=None):
        super().__init__(message, code=code, params=params)
        # A dict of field messages does not keep the code; the pages and the API still want it.
        self.code = code
        self.retry_at = retry_at


class PortalNotFound(Exception):
    """The thing asked for does not exist for this account (answer 404, never reveal it exists)."""

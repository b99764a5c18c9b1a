from yichuang.cases.errors import CaseActionError


class LicenceError(CaseActionError):
    """A licence action that cannot be done: the message says why and what to do.

    A `CaseActionError`, so that a refusal raised while the case engine approves a case is shown
    on the case page like the engine's own refusals.
    """


class LicencePermissionDenied(LicenceError):
    """The actor's role or department does not allow the action."""

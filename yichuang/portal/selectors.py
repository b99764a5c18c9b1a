"""Reads for the online hall, always through what the account (or agent) may see.

A case is visible to an account when its applicant is the account holder, a company the account
operates for (an active `CompanyAccess`), or when the case was handed to the account by an active
`CaseAuthorisation`. A 帮办代办 staff member sees the cases authorised to them. Anything else
answers None, and the page a 404: a forged id never reveals that the case exists.
"""

from django.db.models import Q, QuerySet

from yichuang.cases.models import Applicant, Case, Notice
from yichuang.org.models import User

from .models import Account, CaseAuthorisation, CompanyAccess


def applicants_for_account(account: Account) -> list[int]:
    """Applicant ids the account acts for as applicant: its own person and the companies it operates for.

    Cases handed over by a `CaseAuthorisation` are not here (they give one case, not the applicant):
    see `cases_for_account`.
    """
    if account is None:
        return []
    ids = [account.applicant_id] if account.applicant_id else []
    ids += list(
        CompanyAccess.objects.filter(account=account, revoked_at__isnull=True).values_list("company_id", flat=True)
    )
    return ids


def companies_for_account(account: Account) -> list[CompanyAccess]:
    return list(
        CompanyAccess.objects.filter(account=account, revoked_at__isnull=True).select_related("company")
        .order_by("company__name")
    )


def applicant_choices(account: Account) -> list[Applicant]:
    """In whose name the account may apply: itself, then its companies."""
    choices = [account.applicant] if account.applicant_id else []
    return choices + [access.company for access in companies_for_account(account)]


def company_operators(company: Applicant) -> list[CompanyAccess]:
    return list(
        CompanyAccess.objects.filter(company=company).select_related("account", "granted_by", "revoked_by")
        .order_by("revoked_at", "granted_at")
    )


def managed_company(account: Account, company_id: int) -> Applicant | None:
    access = CompanyAccess.objects.filter(
        account=account, company_id=company_id, revoked_at__isnull=True
    ).select_related("company").first()
    return access.company if access else None


def _authorised_case_ids(*, account: Account | None = None, staff: User | None = None) -> QuerySet:
    grants = CaseAuthorisation.objects.filter(revoked_at__isnull=True)
    grants = grants.filter(agent_account=account) if account is not None else grants.filter(agent_staff=staff)
    return grants.values("case_id")


def cases_for_account(account: Account) -> QuerySet[Case]:
    """Every case the account may open, newest first."""
    from yichuang.cases.selectors_online import cases_for_applicants

    own = cases_for_applicants(applicants_for_account(account))
    return (
        Case.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=_authorised_case_ids(account=account)))
        .select_related("item_version", "item_version__item", "applicant", "department", "centre")
        .order_by("-updated_at", "-pk")
    )


def cases_for_staff_agent(user: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(pk__in=_authorised_case_ids(staff=user))
        .select_related("item_version", "item_version__item", "applicant", "department", "centre")
        .order_by("-updated_at", "-pk")
    )


def case_for_principal(principal, number: str) -> Case | None:
    """The case if the principal (an account or a staff agent) may open it; None otherwise."""
    if principal.account is not None:
        cases = cases_for_account(principal.account)
    elif principal.staff is not None:
        cases = cases_for_staff_agent(principal.staff)
    else:
        return None
    return cases.filter(number=number).first()


def authorisation_for(principal, case: Case) -> CaseAuthorisation | None:
    """The active authorisation by which the principal acts on the case (None when acting as applicant)."""
    grants = CaseAuthorisation.objects.filter(case=case, revoked_at__isnull=True).select_related("granted_by")
    if principal.account is not None:
        return grants.filter(agent_account=principal.account).first()
    if principal.staff is not None:
        return grants.filter(agent_staff=principal.staff).first()
    return None


def case_authorisations(case: Case) -> list[CaseAuthorisation]:
    return list(
        CaseAuthorisation.objects.filter(case=case).select_related("agent_account", "agent_staff", "granted_by")
        .order_by("revoked_at", "granted_at")
    )


def is_applicant_side(account: Account | None, case: Case) -> bool:
    return account is not None and case.applicant_id in applicants_for_account(account)


def case_notices(case: Case) -> list[Notice]:
    return list(case.notices.order_by("issued_at", "pk"))


def drafts_for_account(account: Account) -> QuerySet[Case]:
    return cases_for_account(account).filter(status=Case.Status.DRAFT)


def account_by_mobile(mobile: str) -> Account | None:
    return Account.objects.filter(mobile=mobile).first()


# --- 我的证照: the applicant's own e-licence library ---------------------------------------------


def licences_for_account(account: Account) -> list:
    """Every licence held by the account's person or by a company it operates for, newest first,
    whatever its status (an applicant should see that a licence was revoked or has expired)."""
    from yichuang.licences.models import Licence
    from yichuang.licences.selectors import effective_status, licences_of_applicant

    rows = []
    for applicant in applicant_choices(account):
        for licence in licences_of_applicant(applicant, only_valid=False).select_related("case"):
            licence.shown_status = effective_status(licence)
            licence.shown_status_label = str(Licence.Status(licence.shown_status).label)
            rows.append(licence)
    rows.sort(key=lambda licence: (licence.issued_at, licence.pk), reverse=True)
    return rows


def licence_for_account(account: Account, identifier: str):
    """One licence of the account's holders, or None (another holder's licence is not found)."""
    from yichuang.licences.selectors import licence_by_identifier, same_holder

    licence = licence_by_identifier(identifier)
    if licence is None or not any(same_holder(licence, a) for a in applicant_choices(account)):
        return None
    return licence

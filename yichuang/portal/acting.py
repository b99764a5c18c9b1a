"""Who acted for whom: the `OnlineActor` every online case action is recorded under.

The labels are stored in the case's events, so they are written in Chinese whatever the
reader's language ("李四（代 张三）", "李四（代 某某公司）", "帮办员 王五（受 张三 委托）").
"""

from yichuang.cases.models import Applicant

from .services import Principal


def actor_for(principal: Principal, applicant: Applicant):
    """The OnlineActor for `principal` acting on a case (or a new draft) of `applicant`."""
    from yichuang.cases.services_online import OnlineActor

    if principal.staff is not None:
        return OnlineActor(
            label=f"帮办员 {principal.staff}（受 {applicant.name} 委托）", account_id=None,
            on_behalf_of=applicant.name, staff=principal.staff,
        )
    account = principal.account
    name = account.real_name or account.masked_mobile
    if applicant.pk == account.applicant_id:
        return OnlineActor(label=name, account_id=account.pk, on_behalf_of="")
    return OnlineActor(label=f"{name}（代 {applicant.name}）", account_id=account.pk, on_behalf_of=applicant.name)

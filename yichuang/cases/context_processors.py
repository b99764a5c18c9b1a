"""Which parts of the staff navigation a user sees, from their roles."""

from yichuang.hall.services import may_read_metrics


def staff_roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not hasattr(user, "has_role"):
        return {}
    everything = user.is_superuser
    return {
        "perms_roles": {
            "front": everything or user.has_role("clerk", "town_clerk"),
            "office": everything or user.has_role("reviewer", "approver"),
            "result": everything or user.has_role("result_clerk", "clerk", "town_clerk"),
            "agent": everything or user.has_role("agent"),
            "supervisor": everything or user.has_role("supervisor", "admin", "reviewer", "approver", "clerk"),
            "hall_metrics": may_read_metrics(user),
        }
    }

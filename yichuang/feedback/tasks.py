"""Background jobs of 好差评与投诉 (django-tasks, run by `yichuang db_worker`).

The minute-by-minute sweep is driven by `yichuang feedback sweep --loop 60` under the process manager
(like the supervision sweep); this task is for a sweep asked for at another moment (a calendar change)."""

from django_tasks import task


@task()
def feedback_sweep_task() -> dict:
    from .services import feedback_sweep

    return feedback_sweep()

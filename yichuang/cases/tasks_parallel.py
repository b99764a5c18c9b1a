"""Background job of joint meetings (django-tasks): close the meetings whose opinion deadline has passed."""

from django_tasks import task


@task()
def meetings_close_due_task() -> int:
    from .meetings import meetings_close_due

    return meetings_close_due()

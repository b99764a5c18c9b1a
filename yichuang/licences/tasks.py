"""Background jobs of the licence library (django-tasks, run by `yichuang db_worker`).

The daily expiry is driven by `yichuang licences expire` under the process manager or cron
(the database backend of django-tasks has no clock of its own); this task is the same sweep for
a moment chosen by code, e.g. right after a bulk import of licences.
"""

from django_tasks import task


@task()
def licence_expire_task() -> int:
    from .services import licence_expire_due

    return licence_expire_due()

"""Background jobs of electronic supervision (django-tasks, run by `yichuang db_worker`).

The database backend of django-tasks runs what is enqueued but has no clock of its own, so the
minute-by-minute sweep is driven by `yichuang supervision sweep --loop 60` under the process
manager. These tasks are for work asked for at other moments: a sweep right after a calendar or
alarm-rule change, a rebuild of the statistics after a correction of old data.
"""

import datetime

from django_tasks import task


@task()
def alarm_sweep_task() -> dict:
    from .services import alarm_sweep

    return alarm_sweep().as_dict()


@task()
def rollup_rebuild_task(start: str, end: str) -> dict:
    from .rollups import rollup_rebuild

    return rollup_rebuild(start=datetime.date.fromisoformat(start), end=datetime.date.fromisoformat(end))

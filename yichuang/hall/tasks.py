"""Background jobs of the hall, run by `yichuang db_worker` (django-tasks)."""

from django_tasks import task


@task()
def hall_sms_deliver(message_id: int) -> str:
    from .sms import sms_deliver

    message = sms_deliver(message_id=message_id)
    return message.status if message else "missing"

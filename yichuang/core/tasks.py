"""Background jobs of the foundation, run by `yichuang db_worker`."""

from django_tasks import task


@task()
def send_sms(message_id: int) -> str:
    from .notify import sms_send

    return sms_send(message_id)

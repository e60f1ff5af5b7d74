from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from townhall.notifications.services import deliver_webhook, retry_due_webhooks


@db_task()
def deliver_webhook_task(delivery_id: int) -> None:
    deliver_webhook(delivery_id)


@db_periodic_task(crontab(minute="*"))
def retry_webhooks() -> None:
    """Every minute: failing webhook deliveries whose backoff has passed are tried again."""
    retry_due_webhooks()

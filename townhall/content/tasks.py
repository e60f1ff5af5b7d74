from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from townhall.content.services import reconcile_counters


@db_periodic_task(crontab(hour="3", minute="17"))
def reconcile_counters_daily() -> None:
    reconcile_counters()

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from townhall.support.services import escalate_unanswered


@db_periodic_task(crontab(minute="*"))
def escalate_overdue_questions() -> None:
    """Every minute: questions left unattended past their space's limits go to the support team."""
    escalate_unanswered()

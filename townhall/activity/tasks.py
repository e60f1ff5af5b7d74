from huey.contrib.djhuey import db_task

from townhall.activity.services import process_event_by_id


@db_task(retries=5, retry_delay=10)
def process_event(event_id: int) -> None:
    process_event_by_id(event_id)

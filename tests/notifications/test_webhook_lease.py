"""A webhook delivery is taken by one sender at a time: the helpdesk gets one POST."""

from datetime import timedelta

from django.utils import timezone

from townhall.activity.models import Event
from townhall.notifications.models import WebhookDelivery
from townhall.notifications.services import deliver_webhook, retry_due_webhooks


def _delivery(**fields):
    event = Event.objects.create(verb="question.escalated")
    return WebhookDelivery.objects.create(event=event, url="http://127.0.0.1:9/none", payload={"event": "x"},
                                          next_attempt_at=timezone.now(), **fields)


def test_a_delivery_being_sent_is_not_taken_again(db):
    delivery = _delivery(status="sending")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + timedelta(minutes=1))
    deliver_webhook(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempts == 0


def test_a_sender_that_died_mid_delivery_is_retried_after_its_lease(db):
    delivery = _delivery(status="sending")
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert retry_due_webhooks() == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == "failed"

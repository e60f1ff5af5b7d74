"""The admins' page of outbound webhook deliveries: failing ones first, and "Retry now"."""

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.urls import reverse

from townhall.activity.models import Event
from townhall.notifications.models import WebhookDelivery
from townhall.notifications.services import queue_webhook

URL = "/admin/webhooks/"
REFUSED = "http://127.0.0.1:9/hook"  # nothing listens on the discard port: the connection is refused


class Receiver(BaseHTTPRequestHandler):
    status = 500
    received: list[bytes] = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        Receiver.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(Receiver.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.status, Receiver.received = 500, []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/helpdesk"
    server.shutdown()
    server.server_close()


def delivery(question, url, verb="question.escalated"):
    event = Event.objects.create(verb=verb, topic=question, space=question.space)
    return queue_webhook(event, url, {"event": verb, "question": {"id": question.pk}})


def test_signing_in_is_required(anon_client, db):
    page = anon_client.get(URL)
    assert page.status_code == 302 and page["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["member_client", "outsider_client", "agent_client", "moderator_client"])
def test_only_admins_see_the_page(persona, request):
    page = request.getfixturevalue(persona).get(URL)
    assert page.status_code == 403
    assert "admins see webhook deliveries" in page.content.decode()


def test_admins_see_failing_deliveries_first_with_what_went_wrong(owner_client, question, receiver):
    Receiver.status = 200
    ok = delivery(question, receiver, verb="question.escalated")
    failing = delivery(question, REFUSED, verb="question.answered")
    ok.refresh_from_db()
    failing.refresh_from_db()
    assert ok.status == "delivered" and failing.status == "failed"
    text = owner_client.get(URL).content.decode()
    assert text.index(REFUSED) < text.index(receiver)
    assert "question.answered" in text and "question.escalated" in text
    assert "Failing, will retry" in text and "Delivered" in text
    assert "HTTP 200" in text
    assert failing.last_error[:30] in text  # the reason it failed
    assert f'datetime="{failing.next_attempt_at:%Y-%m-%dT%H:%M}' in text  # when it is tried next
    assert text.count(">Retry now</button>") == 1  # nothing to retry for the delivered one


def test_retry_now_delivers_once_the_receiver_is_back(owner_client, question, receiver):
    hook = delivery(question, receiver)
    hook.refresh_from_db()
    assert hook.status == "failed" and hook.last_status_code == 500
    Receiver.status = 200
    page = owner_client.post(reverse("webhook_retry", args=[hook.pk]), follow=True)
    assert "Delivered to" in page.content.decode()
    hook.refresh_from_db()
    assert hook.status == "delivered" and hook.attempts == 2
    assert len(Receiver.received) == 2


def test_retry_now_on_a_still_failing_delivery_says_so(owner_client, question):
    hook = delivery(question, REFUSED)
    page = owner_client.post(reverse("webhook_retry", args=[hook.pk]), follow=True)
    assert "Still failing" in page.content.decode()
    hook.refresh_from_db()
    assert hook.attempts == 2 and hook.status == "failed"


def test_retry_now_gives_a_delivery_that_gave_up_one_more_try(owner_client, question, receiver):
    hook = delivery(question, receiver)
    WebhookDelivery.objects.filter(pk=hook.pk).update(status="gave_up", attempts=12, next_attempt_at=None)
    Receiver.status = 200
    owner_client.post(reverse("webhook_retry", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.status == "delivered"


@pytest.mark.parametrize("persona", ["member_client", "agent_client", "anon_client"])
def test_others_cannot_retry(persona, request, question):
    hook = delivery(question, REFUSED)
    page = request.getfixturevalue(persona).post(reverse("webhook_retry", args=[hook.pk]))
    assert page.status_code in (302, 403)  # signed out: to the sign-in page
    hook.refresh_from_db()
    assert hook.attempts == 1


def test_retrying_needs_a_post(owner_client, question):
    hook = delivery(question, REFUSED)
    assert owner_client.get(reverse("webhook_retry", args=[hook.pk])).status_code == 405


def test_retrying_an_unknown_delivery_is_404(owner_client, db):
    assert owner_client.post(reverse("webhook_retry", args=[99999])).status_code == 404


def test_an_empty_list_says_so(owner_client):
    assert "No webhook deliveries yet." in owner_client.get(URL).content.decode()

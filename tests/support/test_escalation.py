"""No question left unattended: overdue questions go to the support team, and leave when answered."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from townhall.content.services import create_post
from townhall.core.errors import NotAllowed, Unprocessable
from townhall.notifications.models import Notification, WebhookDelivery
from townhall.notifications.services import backoff, retry_due_webhooks
from townhall.support import services
from townhall.support.models import Question


class Helpdesk:
    """A real HTTP server on loopback standing in for the company's helpdesk."""

    def __init__(self, fail_times: int = 0):
        self.requests: list[tuple[dict, bytes]] = []
        self.fail_times = fail_times
        helpdesk = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                helpdesk.requests.append((dict(self.headers), body))
                status = 503 if helpdesk.fail_times > 0 else 200
                helpdesk.fail_times -= 1
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def helpdesk(settings):
    server = Helpdesk()
    settings.HELPDESK_WEBHOOK_URL = server.url
    settings.HELPDESK_WEBHOOK_SECRET = "s3cret"
    yield server
    server.close()


def later(hours):
    return time_machine.travel(timezone.now() + timedelta(hours=hours), tick=False)


def test_a_fresh_question_is_not_escalated(question):
    assert services.escalate_unanswered() == 0
    assert Question.objects.get(topic=question).queue_state == ""


def test_an_unanswered_question_escalates_after_the_spaces_limit(question, member, helpdesk):
    with later(23):
        assert services.escalate_unanswered() == 0
    with later(25):
        assert services.escalate_unanswered() == 1
        # Running the job again does not escalate twice.
        assert services.escalate_unanswered() == 0
    state = Question.objects.get(topic=question)
    assert state.queue_state == "queued"
    assert state.escalation_reason == "unanswered"
    # The asker is told the support team has it.
    assert Notification.objects.filter(user=member, verb="escalated", topic=question).exists()
    # An email goes to the space's support address.
    support_mail = [m for m in mail.outbox if "support@example.com" in m.to]
    assert support_mail and question.title in support_mail[0].subject
    # The helpdesk receives a signed webhook.
    headers, body = helpdesk.requests[0]
    expected = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers["X-Townhall-Signature"] == expected
    payload = json.loads(body)
    assert payload["question"]["id"] == question.pk
    assert payload["reason"] == "unanswered"
    assert WebhookDelivery.objects.get().status == "delivered"


def test_each_space_sets_its_own_limit(question, public_space):
    public_space.unanswered_hours = 2
    public_space.save(update_fields=["unanswered_hours"])
    with later(3):
        assert services.escalate_unanswered() == 1


def test_an_answered_but_unsolved_question_escalates_after_the_solution_limit(question, answer):
    with later(48):
        assert services.escalate_unanswered() == 0
    with later(73):
        assert services.escalate_unanswered() == 1
    assert Question.objects.get(topic=question).escalation_reason == "unsolved"


def test_a_solved_question_never_escalates(question, answer, member):
    services.accept_solution(member, question, answer)
    with later(100):
        assert services.escalate_unanswered() == 0


def test_a_community_answer_before_an_agent_claims_takes_it_out_of_the_queue(question, other, agent):
    with later(25):
        services.escalate_unanswered()
    assert [q.topic_id for q in services.agent_queue(agent)] == [question.pk]
    create_post(other, question, body="Community to the rescue")
    assert Question.objects.get(topic=question).queue_state == "community"
    assert list(services.agent_queue(agent)) == []


def test_a_claimed_question_stays_with_the_agent_when_the_community_answers(question, other, agent):
    with later(25):
        services.escalate_unanswered()
    services.claim_question(agent, question)
    create_post(other, question, body="A community answer after the claim")
    assert Question.objects.get(topic=question).queue_state == "claimed"


def test_an_agents_answer_is_official_and_resolving_closes_it(question, agent, member):
    with later(25):
        services.escalate_unanswered()
    services.claim_question(agent, question)
    post = create_post(agent, question, body="Official: update to firmware 2.1")
    assert post.official
    services.resolve_question(agent, question)
    state = Question.objects.get(topic=question)
    assert state.queue_state == "resolved"
    assert Notification.objects.filter(user=member, verb="official").exists()


def test_members_cannot_work_the_queue(question, member):
    with later(25):
        services.escalate_unanswered()
    with pytest.raises(NotAllowed):
        services.claim_question(member, question)
    with pytest.raises(NotAllowed):
        services.agent_queue(member)


def test_a_second_agent_cannot_take_a_claimed_question(question, agent):
    from tests.conftest import make_user

    second = make_user("agent2", is_agent=True)
    with later(25):
        services.escalate_unanswered()
    services.claim_question(agent, question)
    with pytest.raises(Unprocessable):
        services.claim_question(second, question)


def test_the_queue_shows_only_what_the_agent_may_see(private_question, question, agent):
    from tests.conftest import make_user

    outside_agent = make_user("agent3", is_agent=True)
    with later(25):
        services.escalate_unanswered()
    assert {q.topic_id for q in services.agent_queue(agent)} == {question.pk, private_question.pk}
    assert {q.topic_id for q in services.agent_queue(outside_agent)} == {question.pk}


def test_a_failing_helpdesk_is_retried_with_backoff_until_it_succeeds(settings, question):
    server = Helpdesk(fail_times=2)
    settings.HELPDESK_WEBHOOK_URL = server.url
    settings.HELPDESK_WEBHOOK_SECRET = "s3cret"
    try:
        with later(25):
            services.escalate_unanswered()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == "failed"
        assert delivery.attempts == 1
        assert delivery.last_status_code == 503
        # Not retried before the backoff has passed.
        assert retry_due_webhooks(now=delivery.next_attempt_at - timedelta(seconds=1)) == 0
        retry_due_webhooks(now=delivery.next_attempt_at + timedelta(seconds=1))
        delivery.refresh_from_db()
        assert delivery.attempts == 2 and delivery.status == "failed"
        retry_due_webhooks(now=delivery.next_attempt_at + timedelta(seconds=1))
        delivery.refresh_from_db()
        assert delivery.status == "delivered"
        assert len(server.requests) == 3
    finally:
        server.close()


def test_an_unreachable_helpdesk_is_recorded_as_failing(settings, question):
    settings.HELPDESK_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens-here"
    with later(25):
        services.escalate_unanswered()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert delivery.last_error


def test_backoff_grows_and_is_capped():
    assert backoff(1) < backoff(2) < backoff(5)
    assert backoff(40) == timedelta(hours=6)

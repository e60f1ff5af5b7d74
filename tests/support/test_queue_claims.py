"""A claimed question belongs to its agent; deleted questions never escalate."""

import pytest

from tests.conftest import make_user
from townhall.content.services import delete_topic
from townhall.core.errors import NotAllowed
from townhall.support import services
from townhall.support.models import Question


def test_another_agent_cannot_release_or_resolve_a_claim(question, agent, owner):
    second = make_user("agent2", is_agent=True)
    services.escalate_question(question, reason="unanswered")
    services.claim_question(agent, question)
    with pytest.raises(NotAllowed):
        services.release_question(second, question)
    with pytest.raises(NotAllowed):
        services.resolve_question(second, question)
    services.resolve_question(owner, question)  # an admin may
    assert Question.objects.get(topic=question).queue_state == "resolved"


def test_a_deleted_question_is_not_escalated(question, member):
    delete_topic(member, question)
    assert services.escalate_question(question, reason="unanswered") is False

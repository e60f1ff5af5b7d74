"""The benchmark's members send the writing forms as a browser does: with the CSRF token, the empty
honeypot and the stamp of when the form was shown. With the form guard on, their answers are taken."""

from __future__ import annotations

import pytest
from django.test import Client

from townhall.bench.scenarios import sign_in
from townhall.content.models import Post

pytestmark = [pytest.mark.django_db, pytest.mark.form_guard]


def test_a_benchmark_member_posts_an_answer_past_the_form_guard(other, question):
    request = sign_in(other).form(f"/t/{question.pk}/answer/", {"body": "Hold the reset button for ten seconds."},
                                  expect=[302])
    headers = {k: v for k, v in request.headers.items() if k != "Content-Type"}
    response = Client(enforce_csrf_checks=True).generic(
        request.method, request.path, request.body, content_type=request.headers["Content-Type"], headers=headers)
    assert response.status_code == 302
    assert Post.objects.filter(topic=question, body="Hold the reset button for ten seconds.").exists()

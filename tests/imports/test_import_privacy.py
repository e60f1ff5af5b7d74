"""Imported into a private space, a dump stays private: pages, API and search show it to members only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from townhall.content.models import Topic
from townhall.imports.services import import_stackexchange
from townhall.search.services import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_import(conlang_dump, private_space):
    import_stackexchange(conlang_dump, space_slug=private_space.slug)
    return Topic.objects.get(imported_from="se:conlang-meta-stackexchange:post:1")


def test_outsiders_and_visitors_cannot_see_a_privately_imported_question(private_import, outsider_client,
                                                                         anon_client, member_client):
    url = private_import.get_absolute_url()
    assert outsider_client.get(url).status_code == 404
    assert anon_client.get(url).status_code == 404
    assert outsider_client.get(f"/api/v1/topics/{private_import.pk}").status_code == 404
    assert member_client.get(url).status_code == 200


def test_search_finds_privately_imported_questions_only_for_the_spaces_members(private_import, outsider, member,
                                                                               outsider_client):
    assert search(outsider, "Lojban").results == []
    assert search(None, "Lojban").results == []
    assert search(member, "Lojban").results
    page = outsider_client.get(reverse("search"), {"q": "conlangs accepted"}).content.decode()
    assert "Are questions asked in conlangs accepted on this site?" not in page

"""Anonymous visitors are served from a page cache that any change invalidates at once."""

from townhall.content.services import create_post, edit_topic


def test_a_second_anonymous_visit_is_served_from_the_cache(anon_client, question):
    first = anon_client.get(f"/t/{question.pk}/")
    second = anon_client.get(f"/t/{question.pk}/")
    assert first["X-Townhall-Cache"] == "miss"
    assert second["X-Townhall-Cache"] == "hit"
    assert second.content == first.content


def test_a_new_answer_is_visible_to_anonymous_visitors_at_once(anon_client, question, other):
    anon_client.get(f"/t/{question.pk}/")
    create_post(other, question, body="Fresh answer about the zebrafish setting")
    response = anon_client.get(f"/t/{question.pk}/")
    assert response["X-Townhall-Cache"] == "miss"
    assert b"zebrafish" in response.content


def test_an_edit_shows_on_the_home_page_at_once(anon_client, question, member):
    anon_client.get("/")
    edit_topic(member, question, title="Widget reset with the hidden pinhole")
    assert b"hidden pinhole" in anon_client.get("/").content


def test_signed_in_members_are_never_served_cached_pages(anon_client, member_client, question):
    anon_client.get("/")
    response = member_client.get("/")
    assert "X-Townhall-Cache" not in response
    assert b"Mia Member" in response.content


def test_a_visitor_with_a_session_cookie_bypasses_the_cache(anon_client, client, question):
    anon_client.get("/")
    client.cookies["sessionid"] = "whatever"
    assert "X-Townhall-Cache" not in client.get("/")


def test_pages_that_issue_a_csrf_token_are_not_cached(anon_client, db):
    response = anon_client.get("/accounts/login/")
    assert "X-Townhall-Cache" not in response
    assert "X-Townhall-Cache" not in anon_client.get("/accounts/login/")


def test_private_questions_never_reach_the_anonymous_cache(anon_client, member_client, private_question):
    member_client.get("/")
    assert private_question.title.encode() not in anon_client.get("/").content
    assert anon_client.get(f"/t/{private_question.pk}/").status_code == 404


def test_the_cache_can_be_turned_off(anon_client, question, settings):
    settings.PAGE_CACHE_SECONDS = 0
    anon_client.get("/")
    assert "X-Townhall-Cache" not in anon_client.get("/")


def test_a_cached_page_costs_no_query(anon_client, question, django_assert_num_queries, settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 60  # the view it counts is written later, with others
    anon_client.get(f"/t/{question.pk}/")
    with django_assert_num_queries(0):
        anon_client.get(f"/t/{question.pk}/")


def test_a_change_made_in_django_admin_also_shows_at_once(anon_client, question, public_space):
    anon_client.get(f"/t/{question.pk}/")
    type(question).objects.get(pk=question.pk).save()  # what Django admin does: a plain save
    assert anon_client.get(f"/t/{question.pk}/")["X-Townhall-Cache"] == "miss"


def test_a_cached_page_keeps_its_security_headers(anon_client, question):
    anon_client.get("/")
    hit = anon_client.get("/")
    assert hit["X-Townhall-Cache"] == "hit"
    assert hit["X-Frame-Options"] == "DENY"
    assert "Cookie" in hit["Vary"]


def test_a_member_signing_in_does_not_empty_the_cache(anon_client, question, member):
    from django.contrib.auth import user_logged_in

    anon_client.get("/")
    member.save(update_fields=["last_login"])
    user_logged_in.send(sender=type(member), request=None, user=member)
    assert anon_client.get("/")["X-Townhall-Cache"] == "hit"


def test_the_public_api_is_cached_for_callers_without_a_token(anon_client, question, other):
    assert anon_client.get("/api/v1/topics")["X-Townhall-Cache"] == "miss"
    hit = anon_client.get("/api/v1/topics")
    assert hit["X-Townhall-Cache"] == "hit" and hit["Content-Type"].startswith("application/json")
    create_post(other, question, body="A new answer changes the answer count")
    fresh = anon_client.get("/api/v1/topics")
    assert fresh["X-Townhall-Cache"] == "miss"
    assert fresh.json()["results"][0]["answer_count"] == 1


def test_an_api_caller_with_a_token_is_never_served_from_the_cache(anon_client, member, question):
    from townhall.accounts.services import create_api_token

    _, raw = create_api_token(member, name="ci")
    anon_client.get("/api/v1/topics")
    anon_client.get("/api/v1/topics")
    response = anon_client.get("/api/v1/topics", headers={"Authorization": f"Bearer {raw}"})
    assert "X-Townhall-Cache" not in response
    assert response.status_code == 200

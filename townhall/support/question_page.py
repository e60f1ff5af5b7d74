"""The question page: the question, its accepted solution, and a page of answers with their comments.

The answers are most of its cost, in queries (fifty answers, their comments and authors) and far
more in rendering. Most viewers have no part in a thread: they gave none of its posts kudos, wrote
none of them, may not accept or moderate. They all see the same answers, so the answers are
rendered once for all of them (core.fragments) and not even read again while nothing changes.
Viewers with a part in the thread get each answer from the fragments of those with the same rights
over it; an answer with the viewer's own form errors is always rendered for them alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from townhall.content import selectors, threads
from townhall.content import services as content
from townhall.content.models import Kudos, Post, Topic, TopicVote
from townhall.core import access, formguard, fragments
from townhall.core.errors import ServiceError
from townhall.core.pages import bad_request
from townhall.core.pagination import InvalidCursor
from townhall.moderation import services as moderation
from townhall.notifications.models import Subscription
from townhall.support.forms import BodyForm
from townhall.support.models import Question

ANSWERS_PER_PAGE = 50
ANSWER_SORTS = [("kudos", "Most kudos"), ("date", "Oldest first")]

CommentError = tuple[int, list[str], str]  # (post id, reasons, the text as sent)
# Read with the topic: the question's state and accepted answer (support.views.topic_page).
QUESTION_RELATED = ("question__accepted_post__author", "question__claimed_by")
# Between the parts of the thread's fragment: the question's tags, the comments on it, the answers.
_SPLIT = "<!--townhall:split-->"


@dataclass(frozen=True)
class Relation:
    """A member's part in a topic: the posts they gave kudos to, the ones they wrote, their "me too",
    whether they follow it."""

    given: frozenset[int] = frozenset()
    own: frozenset[int] = frozenset()
    voted: bool = False
    following: bool = False


_GIVEN, _OWN, _VOTED, _FOLLOWING = 0, 1, 2, 3


def viewer_relation(user: Any, topic: Topic) -> Relation:
    """This person's part in a topic and its posts (deleted ones too): one query, none when signed out.
    Written out in SQL: it runs on every signed-in view of a question, and building it with the ORM (a
    union of four querysets) cost more than running it."""
    if not user.is_authenticated:
        return Relation()
    post, kudos = Post._meta.db_table, Kudos._meta.db_table
    sql = (
        f"SELECT k.post_id, {_GIVEN} FROM {kudos} k JOIN {post} p ON p.id = k.post_id "
        "WHERE k.user_id = %(user)s AND p.topic_id = %(topic)s "
        f"UNION ALL SELECT id, {_OWN} FROM {post} WHERE topic_id = %(topic)s AND author_id = %(user)s "
        f"UNION ALL SELECT topic_id, {_VOTED} FROM {TopicVote._meta.db_table} "
        "WHERE topic_id = %(topic)s AND user_id = %(user)s "
        f"UNION ALL SELECT topic_id, {_FOLLOWING} FROM {Subscription._meta.db_table} "
        "WHERE topic_id = %(topic)s AND user_id = %(user)s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user.pk, "topic": topic.pk})
        rows = cursor.fetchall()
    return Relation(given=frozenset(pk for pk, what in rows if what == _GIVEN),
                    own=frozenset(pk for pk, what in rows if what == _OWN),
                    voted=any(what == _VOTED for _, what in rows),
                    following=any(what == _FOLLOWING for _, what in rows))


def _view_of(user: Any, post: Post, kudos_ids: frozenset[int], accepted_id: int | None, links: selectors.Links,
             comments: list[selectors.PostView] | None = None) -> selectors.PostView:
    """What this person may do with a post, worked out once here so the template stays lean."""
    may_edit = not post.is_deleted and access.can_edit(user, post)
    return selectors.PostView(
        post=post,
        given=post.id in kudos_ids,
        may_kudos=bool(user.is_authenticated and post.author_id != user.id and not post.is_deleted),
        is_accepted=post.id == accepted_id,
        may_edit=may_edit,
        may_delete=may_edit and access.can_delete(user, post),
        may_restore=post.is_deleted and access.can_restore(user, post),
        may_view_history=bool(post.edited_at) and access.can_view_history(user, post),
        signed_in=user.is_authenticated,
        comments=comments or [],
        links=links,
    )


class Thread:
    """Renders a topic's comments and a page of its answers as one viewer sees them."""

    def __init__(self, request: HttpRequest, topic: Topic, *, sort: str, cursor: str | None, accepted_id: int | None,
                 can_accept: bool, relation: Relation, comment_error: CommentError | None):
        self.request, self.topic, self.sort, self.cursor = request, topic, sort, cursor
        self.user = request.user
        self.accepted_id, self.can_accept, self.relation = accepted_id, can_accept, relation
        self.comment_error = comment_error
        self.links = selectors.Links()
        self.post_template = get_template("content/_post.html")

    def view(self, post: Post, comments: list[selectors.PostView] | None = None) -> selectors.PostView:
        return _view_of(self.user, post, self.relation.given, self.accepted_id, self.links, comments)

    def extras(self) -> str:
        """The question's tags and the comments on it (imported from Stack Exchange), split by _SPLIT."""
        entries = [self.view(comment) for comment in selectors.topic_comments(self.user, self.topic)]
        tags = get_template("support/_question_tags.html").render({"tags": list(self.topic.tags.all()),
                                                                    "space": self.topic.space})
        comments = get_template("support/_question_comments.html").render(
            {"comments": entries, "csrf_input": fragments.CSRF_PLACEHOLDER})
        return f"{tags}{_SPLIT}{comments}"

    def render_answer(self, entry: selectors.PostView) -> str:
        return self.post_template.render({
            "entry": entry, "topic": self.topic, "can_accept": self.can_accept,
            "comment_error": self.comment_error, "csrf_input": fragments.CSRF_PLACEHOLDER,
            "guard_input": formguard.PLACEHOLDER,
        })

    def entry(self, post: Post) -> selectors.PostView:
        # Comments come prefetched with their answers (selectors): no query per answer.
        return self.view(post, [self.view(comment) for comment in post.comments.all()])

    def answers(self, *, shared_entries: bool) -> str:
        """The answers section. With `shared_entries`, each answer comes from the fragment of the viewers
        with the same rights over it: the page is read without the answers' text, and only the answers
        missing from the cache are read in full."""
        page = selectors.answers_page(self.user, self.topic, sort=self.sort, cursor=self.cursor, limit=ANSWERS_PER_PAGE,
                                      keys_only=shared_entries and fragments.enabled())
        entries = [self.entry(post) for post in page.items]
        if shared_entries:
            rendered = fragments.each(self.request, "answer", entries, self._answer_parts, self._render_in_full)
        else:
            rendered = [mark_safe(self.render_answer(entry)) for entry in entries]
        return get_template("support/_answers.html").render({
            "topic": self.topic,
            "entries": mark_safe("".join(rendered)),
            "any": bool(entries),
            "sorts": [(key, label, f"?sort={key}#answers") for key, label in ANSWER_SORTS],
            "sort": self.sort,
            # From the fragment's own key only (sort, cursor): it is shared with other viewers.
            "next_url": f"?{urlencode({'sort': self.sort, 'cursor': page.next_cursor})}" if page.next_cursor else None,
            "after_last": self.cursor is not None,
        })

    def _render_in_full(self, entries: list[selectors.PostView]) -> list[str]:
        full = selectors.answers_by_id(self.user, [entry.post.id for entry in entries])
        return [self.render_answer(self.entry(full[entry.post.id]) if entry.post.id in full else entry)
                for entry in entries]

    def _answer_parts(self, entry: selectors.PostView) -> tuple[Any, ...] | None:
        if self.comment_error and self.comment_error[0] == entry.post.id:
            return None  # the viewer's own comment with its errors
        return (entry.sharing_key(), self.can_accept)


def _closed_to_answers(user: Any, topic: Topic) -> str:
    """Why this viewer may not answer here ("" when they may): a lock, a duplicate, or a hold."""
    if topic.is_deleted and access.is_held_for_its_author(user, topic):
        return "This waits for a moderator: answers open once it is published."
    try:
        threads.may_reply(user, topic, is_answer=True)
    except ServiceError as exc:
        return exc.message
    return ""


def render_topic(request: HttpRequest, topic: Topic, *, answer_form: BodyForm | None = None,
                 comment_error: CommentError | None = None, status: int = 200) -> HttpResponse:
    """The question page. Its number of queries does not grow with the number of answers."""
    user = request.user
    sort = request.GET.get("sort") or "kudos"
    if sort not in dict(ANSWER_SORTS):
        return bad_request(request, "Sort answers by kudos or date.", field="sort")
    cursor = request.GET.get("cursor") or None
    question = None
    if topic.kind == "question":
        try:
            question = topic.question  # read with the topic (QUESTION_RELATED), else one query
        except Question.DoesNotExist:
            question = None
    accepted = question.accepted_post if question else None
    if accepted is not None and accepted.is_deleted:
        accepted = None
    is_asker = user.is_authenticated and topic.author_id == user.id
    can_accept = topic.kind == "question" and access.can_accept(user, topic)
    relation = viewer_relation(user, topic)
    thread = Thread(request, topic, sort=sort, cursor=cursor, accepted_id=accepted.id if accepted else None,
                    can_accept=can_accept, relation=relation, comment_error=comment_error)
    # A viewer with no part in the thread sees what every such viewer sees.
    has_part = bool(relation.given or relation.own or can_accept or access.can_see_deleted(user) or comment_error)
    try:
        if has_part:
            thread_html = f"{thread.extras()}{_SPLIT}{thread.answers(shared_entries=True)}"
        else:
            # Everything in it belongs to this topic, which the viewer may see: whichever other spaces
            # they may see changes nothing in it, so every viewer without a part shares it.
            parts = (topic.pk, access.can_see_deleted(user), user.is_authenticated, sort, cursor)
            thread_html = fragments.shared(request, "thread", parts,
                                           lambda: f"{thread.extras()}{_SPLIT}{thread.answers(shared_entries=False)}")
    except InvalidCursor as exc:
        return bad_request(request, str(exc), field="cursor")
    tags_html, comments_html, answers_html = thread_html.split(_SPLIT)
    if request.method == "GET":
        content.record_view(topic)
        topic.view_count += 1
    context = {
        "topic": topic,
        "space": topic.space,
        "tags_html": mark_safe(tags_html),
        "question": question,
        "accepted": accepted,
        "question_comments": fragments.with_csrf(request, comments_html),
        "answers": fragments.with_csrf(request, answers_html),
        "can_accept": can_accept,
        "can_edit": not topic.is_deleted and access.can_edit(user, topic),
        "can_restore": topic.is_deleted and access.can_restore(user, topic),
        "is_asker": is_asker,
        "me_too": relation.voted,
        "following": relation.following,
        "show_escalation": bool(question and question.in_queue and (is_asker or access.can_work_queue(user))),
        "answer_form": answer_form or BodyForm(),
        "closed_to_answers": _closed_to_answers(user, topic),
        # New members see the guidelines (this space's, else the site's) before their first answer too.
        "first_post_guidelines": moderation.current_guidelines(topic.space) if moderation.is_first_post(user) else None,
        # Moderators get the thread's tools (lock, move, merge, duplicate, edit with a note) on the page.
        "moderator_spaces": access.visible_spaces(user).order_by("name") if access.is_moderator(user) else None,
    }
    response = render(request, "support/topic.html", context, status=status)
    if request.method == "GET":
        # A visit served later from the anonymous page cache counts too (core.pagecache).
        response.counts_view_of = (content.VIEWED_TOPIC, topic.pk)  # type: ignore[attr-defined]
    return response


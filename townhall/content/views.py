"""Pages of the content core: topic lists, edit with history, delete and restore, kudos, Markdown preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from townhall.content import selectors, services
from townhall.content.forms import EditPostForm, EditTopicForm
from townhall.content.models import BODY_MAX, Post, Topic
from townhall.content.selectors import topic_list
from townhall.content.services import TAG_RE
from townhall.core import access, fragments
from townhall.core.errors import Conflict, ServiceError
from townhall.core.markdown import render_markdown
from townhall.core.pages import (
    HtmxHttpRequest,
    add_service_errors,
    bad_request,
    fetch_visible,
    form_status,
    member_of,
    post_value,
    query_with,
    raise_for_access,
)
from townhall.core.pagination import InvalidCursor

RESTORE_REFUSED = "Only a moderator, or the author who deleted it, may restore this."


def topic_for(request: HttpRequest, pk: Any) -> Topic:
    return fetch_visible(services.get_topic_for, request.user, pk)


def post_for(request: HttpRequest, pk: Any) -> Post:
    return fetch_visible(services.get_post_for, request.user, pk)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# Editing ---------------------------------------------------------------------------------------


@login_required
def edit_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for(request, pk)
    _require(not topic.is_deleted and access.can_edit(request.user, topic),
             "Only the author or a moderator may edit this.")
    initial = {"title": topic.title, "body": topic.body, "tags": " ".join(t.name for t in topic.tags.all())}
    form = EditTopicForm(request.POST or None, initial=initial).for_editor(request.user, topic)
    context: dict[str, Any] = {"form": form, "topic": topic, "post": None, "preview": None}
    if request.method == "POST":
        if not form.is_valid():  # unparseable text only (a NUL byte): the service judges the rest
            return render(request, "content/edit.html", context, status=400)
        data = form.cleaned_data
        if "preview" in request.POST:
            context["preview"] = render_markdown(data["body"][:BODY_MAX])
            return render(request, "content/edit.html", context)
        try:
            services.edit_topic(request.user, topic, title=data["title"], body=data["body"], tags=data["tags"],
                                moderator_note=data.get("moderator_note"))
        except ServiceError as exc:
            raise_for_access(exc)
            add_service_errors(form, exc)
            return render(request, "content/edit.html", context, status=form_status(exc))
        messages.success(request, "Saved. The previous version is kept in the history.")
        return redirect(topic)
    return render(request, "content/edit.html", context)


@login_required
def edit_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_for(request, pk)
    _require(not post.is_deleted and access.can_edit(request.user, post),
             "Only the author or a moderator may edit this.")
    form = EditPostForm(request.POST or None, initial={"body": post.body}).for_editor(request.user, post)
    context: dict[str, Any] = {"form": form, "topic": post.topic, "post": post, "preview": None}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "content/edit.html", context, status=400)
        body = form.cleaned_data["body"]
        if "preview" in request.POST:
            context["preview"] = render_markdown(body[:BODY_MAX])
            return render(request, "content/edit.html", context)
        try:
            services.edit_post(request.user, post, body=body, moderator_note=form.cleaned_data.get("moderator_note"))
        except ServiceError as exc:
            raise_for_access(exc)
            add_service_errors(form, exc)
            return render(request, "content/edit.html", context, status=form_status(exc))
        messages.success(request, "Saved. The previous version is kept in the history.")
        return redirect(post)
    return render(request, "content/edit.html", context)


HISTORY_REFUSED = "Only the author and moderators see earlier versions."


def topic_history(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for(request, pk)
    if not access.can_view_history(request.user, topic):
        raise PermissionDenied(HISTORY_REFUSED)
    revisions = topic.revisions.select_related("edited_by").order_by("-created_at", "-id")
    return render(request, "content/history.html",
                  {"topic": topic, "post": None, "current": topic, "revisions": revisions})


def post_history(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_for(request, pk)
    if not access.can_view_history(request.user, post):
        raise PermissionDenied(HISTORY_REFUSED)
    revisions = post.revisions.select_related("edited_by").order_by("-created_at", "-id")
    return render(request, "content/history.html",
                  {"topic": post.topic, "post": post, "current": post, "revisions": revisions})


# Delete and restore: a confirmation page on GET, the change on POST ----------------------------------


def _restorable_topic(request: HttpRequest, pk: int) -> Topic:
    """A deleted topic is still found by whoever may restore it (its author who deleted it)."""
    topic = Topic.objects.select_related("space", "author").filter(pk=pk).first()
    if topic is None or not access.can_view_space(request.user, topic.space):
        raise Http404("No such topic.")
    if not access.can_view_topic(request.user, topic) and not access.can_restore(request.user, topic):
        raise Http404("No such topic.")
    return topic


def _confirm_then(request: HttpRequest, *, action: str, topic: Topic, post: Post | None = None,
                  apply: Callable[[], Any], done: str, done_url: Any, failed_url: Any) -> HttpResponse:
    """GET shows a confirmation page; POST applies the change and says how it went."""
    if request.method != "POST":
        return render(request, "content/confirm.html", {"action": action, "topic": topic, "post": post})
    try:
        apply()
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
        return redirect(failed_url)
    messages.success(request, done)
    return redirect(done_url)


def _decided_in_the_queue(request: HttpRequest) -> HttpResponse:
    """What flags or a hold hid is published from the review queue, where the flags are closed with a
    reason and the people it concerns are told."""
    messages.info(request, "This waits for review: approve or remove it in the review queue, with the reason.")
    return redirect("review_queue")


@login_required
def delete_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for(request, pk)
    _require(access.can_delete(request.user, topic), "Only the author or a moderator may delete this.")
    return _confirm_then(request, action="delete", topic=topic,
                         apply=lambda: services.delete_topic(request.user, topic),
                         done=f"“{topic.title}” is deleted. You can restore it from its page.",
                         done_url=topic.space, failed_url=topic)


@login_required
def restore_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _restorable_topic(request, pk)
    _require(access.can_restore(request.user, topic), RESTORE_REFUSED)
    if topic.deleted_by_id is None:
        return _decided_in_the_queue(request)
    return _confirm_then(request, action="restore", topic=topic,
                         apply=lambda: services.restore_topic(request.user, topic),
                         done=f"“{topic.title}” is restored.", done_url=topic, failed_url=topic)


@login_required
def delete_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_for(request, pk)
    _require(access.can_delete(request.user, post), "Only the author or a moderator may delete this.")
    return _confirm_then(request, action="delete", topic=post.topic, post=post,
                         apply=lambda: services.delete_post(request.user, post),
                         done="The post is deleted.", done_url=post.topic, failed_url=post.topic)


@login_required
def restore_post(request: HttpRequest, pk: int) -> HttpResponse:
    post = post_for(request, pk)
    _require(access.can_restore(request.user, post), RESTORE_REFUSED)
    if post.deleted_by_id is None:
        return _decided_in_the_queue(request)
    return _confirm_then(request, action="restore", topic=post.topic, post=post,
                         apply=lambda: services.restore_post(request.user, post),
                         done="The post is restored.", done_url=post, failed_url=post)


# Kudos and preview ---------------------------------------------------------------------------------


@require_POST
@login_required
def kudos(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    post = post_for(request, pk)
    error = None
    try:
        if post_value(request, "value") == 1:
            services.give_kudos(request.user, post)
        else:
            services.withdraw_kudos(request.user, post)
    except Conflict:
        pass  # already given: the button shows it
    except ServiceError as exc:
        raise_for_access(exc)
        error = exc.message
    if request.htmx:
        post.refresh_from_db(fields=["kudos_count"])
        member = member_of(request)
        entry = selectors.PostView(post=post, given=post.id in selectors.kudos_given(member, [post]),
                                   may_kudos=post.author_id != member.id and not post.is_deleted, signed_in=True)
        return render(request, "content/_kudos.html", {"entry": entry, "error": error})
    if error:
        messages.error(request, error)
    return redirect(post)


@require_POST
@login_required
def markdown_preview(request: HtmxHttpRequest) -> HttpResponse:
    body = request.POST.get("body", "")
    if len(body) > BODY_MAX:
        # HTMX only swaps successful responses in: it gets the message with a 200 to show it.
        return render(request, "content/_preview.html",
                      {"error": f"The text is too long: at most {BODY_MAX:,} characters."},
                      status=200 if request.htmx else 400)
    return render(request, "content/_preview.html", {"html": render_markdown(body)})


LIST_TABS = [
    ("newest", "Newest"),
    ("active", "Active"),
    ("unanswered", "Unanswered"),
    ("unsolved", "Unsolved"),
    ("solved", "Solved"),
]
LIST_PAGE_SIZE = 30


def topic_listing(request: HttpRequest, space: Any = None, *, ask_url: str, place: str = "",
                  show_space: bool = False) -> dict[str, Any] | HttpResponse:
    """Parse ?tab=&tag=&cursor= and render one page of topics (content/_topic_list.html) as `listing`,
    or a 400 page naming the bad parameter. The list is the same for everyone who sees the same spaces:
    rendered once for all of them (core.fragments), and not even read from the database again."""
    tab = request.GET.get("tab") or "newest"
    if tab not in dict(LIST_TABS):
        return bad_request(request, f"Unknown tab “{tab[:40]}”: use {', '.join(dict(LIST_TABS))}.", field="tab")
    tag = (request.GET.get("tag") or "").strip().lower() or None
    if tag is not None and not TAG_RE.match(tag):
        return bad_request(request, "That is not a tag: tags are up to 40 letters, digits and - + # .", field="tag")

    def render_list() -> str:
        page = topic_list(request.user, space=space, tab=tab, tag=tag, cursor=request.GET.get("cursor") or None,
                          limit=LIST_PAGE_SIZE)
        return render_to_string("content/_topic_list.html", {
            "tabs": [(key, label, query_with(request, tab=key, cursor=None)) for key, label in LIST_TABS],
            "tab": tab, "tag": tag, "all_tags_url": query_with(request, tag=None, cursor=None), "page": page,
            "next_url": query_with(request, cursor=page.next_cursor) if page.next_cursor else None,
            "after_last": bool(request.GET.get("cursor")), "space": space, "ask_url": ask_url, "place": place,
            "show_space": show_space,
        })

    parts = (fragments.audience(request.user), space.id if space else None, request.get_full_path(),
             ask_url, place, show_space)
    try:
        listing = fragments.shared(request, "topic_list", parts, render_list)
    except InvalidCursor as exc:
        return bad_request(request, str(exc), field="cursor")
    except ServiceError as exc:
        return bad_request(request, exc.message, field=next(iter(exc.errors), None))
    return {"tab": tab, "tag": tag, "listing": listing}

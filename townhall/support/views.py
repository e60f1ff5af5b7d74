"""Question pages: asking, the question with its answers, solutions, "me too", and the agent queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from townhall.content import selectors
from townhall.content import services as content
from townhall.content.models import BODY_MAX, Topic
from townhall.content.views import post_for, topic_for, topic_listing
from townhall.core import access, fragments
from townhall.core.errors import InvalidInput, ServiceError
from townhall.core.markdown import render_markdown
from townhall.core.pages import (
    HtmxHttpRequest,
    add_service_errors,
    bad_request,
    fetch_visible,
    form_status,
    post_value,
    query_with,
    raise_for_access,
    safe_next,
    with_retry_after,
)
from townhall.core.pagination import InvalidCursor, keyset_page
from townhall.moderation import services as moderation
from townhall.notifications import services as notifications
from townhall.spaces import services as spaces
from townhall.support import services
from townhall.support.forms import AskForm, BodyForm
from townhall.support.models import Question
from townhall.support.question_page import QUESTION_RELATED, render_topic

QUEUE_PAGE_SIZE = 50
QUEUE_TABS = [("open", "Open"), ("queued", "Waiting"), ("claimed", "Claimed"), ("resolved", "Resolved")]
# Kinds of space that take questions (see content.services.KIND_FOR_SPACE).
QUESTION_SPACE_KINDS = ["forum", "group"]




# Asking ----------------------------------------------------------------------------------------


def _space_choices(user: Any) -> list[tuple[str, str]]:
    spaces = list(
        access.visible_spaces(user).filter(kind__in=QUESTION_SPACE_KINDS).select_related("parent")
        .order_by("parent__position", "parent__name", "position", "name")
    )
    visible = {space.id for space in spaces} | set(access.visible_space_ids(user))
    return [
        (space.slug, f"{space.parent.name} › {space.name}" if space.parent_id in visible else space.name)
        for space in spaces
    ]


@login_required
def ask(request: HttpRequest) -> HttpResponse:
    form = AskForm(request.POST or None, spaces=_space_choices(request.user),
                   initial={"space": request.GET.get("space", "")})
    # New members see the guidelines before their first post.
    first = moderation.current_guidelines() if moderation.is_first_post(request.user) else None
    context: dict[str, Any] = {"form": form, "preview": None, "first_post_guidelines": first}
    if request.method != "POST":
        return render(request, "support/ask.html", context)
    if not form.is_valid():  # only unparseable text (a NUL byte) fails here: the services judge the rest
        return render(request, "support/ask.html", context, status=400)
    data = form.cleaned_data
    if "preview" in request.POST:
        context["preview"] = render_markdown(data["body"][:BODY_MAX])
        return render(request, "support/ask.html", context)
    try:
        if not data["space"]:
            raise InvalidInput("Choose the space your question belongs in.", field="space")
        space = spaces.get_space_for(request.user, data["space"])
        topic = services.ask_question(request.user, space, title=data["title"], body=data["body"], tags=data["tags"])
    except ServiceError as exc:
        if "kind" in exc.errors:  # a space that does not take questions: the space is what to change
            exc.errors = {"space": exc.errors["kind"]}
        add_service_errors(form, exc)
        response = render(request, "support/ask.html", context, status=form_status(exc))
        return with_retry_after(response, exc)
    if topic.is_deleted:  # held for review (moderation.holds)
        messages.info(request, "Thank you: your question waits for a moderator before others see it.")
    else:
        messages.success(request, "Your question is posted. You will be notified of answers.")
    return redirect(topic)


# The question page ------------------------------------------------------------------------------


def topic_page(request: HttpRequest, pk: int, slug: str | None = None) -> HttpResponse:
    try:
        topic = fetch_visible(lambda user, key: content.get_topic_for(user, key, related=QUESTION_RELATED),
                              request.user, pk)
    except Http404:
        # A merged topic sends its readers on, if they could read it (its id says nothing otherwise).
        merged_into = Topic.objects.filter(pk=pk, space_id__in=access.visible_space_ids(request.user)).values_list(
            "merged_into", flat=True).first()
        if merged_into is None:
            raise
        return redirect("topic", merged_into)  # merged by a moderator: its replies live on in the target
    if topic.merged_into_id:  # a moderator, who sees deleted topics: the thread lives in the target too
        return redirect("topic", topic.merged_into_id)
    return render_topic(request, topic)


@require_POST
@login_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    topic = topic_for(request, pk)
    form = BodyForm(request.POST)
    if not form.is_valid():
        return render_topic(request, topic, answer_form=form, status=400)
    try:
        post = content.create_post(request.user, topic, body=form.cleaned_data["body"])
    except ServiceError as exc:
        raise_for_access(exc)
        add_service_errors(form, exc)
        return with_retry_after(render_topic(request, topic, answer_form=form, status=form_status(exc)), exc)
    if post.is_deleted:  # held for review (moderation.holds)
        messages.info(request, "Thank you: your answer waits for a moderator before others see it.")
        return redirect(topic)
    return redirect(post)


@require_POST
@login_required
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    parent = post_for(request, pk)
    form = BodyForm(request.POST)
    if not form.is_valid():  # unparseable text (a NUL byte), or refused by core.formguard: keep the text then
        reasons = [str(r) for errors in form.errors.values() for r in errors]
        return render_topic(request, topic_for(request, parent.topic_id),
                            comment_error=(parent.id, reasons, form.cleaned_data.get("body", "")), status=400)
    body = form.cleaned_data["body"]
    try:
        post = content.create_post(request.user, parent.topic, body=body, parent=parent)
    except ServiceError as exc:
        raise_for_access(exc)
        reasons = [r for rs in exc.errors.values() for r in rs] or [exc.message]
        topic = topic_for(request, parent.topic_id)
        response = render_topic(request, topic, comment_error=(parent.id, reasons, body), status=form_status(exc))
        return with_retry_after(response, exc)
    return redirect(post)


def _back_to(request: HtmxHttpRequest, url: str) -> HttpResponse:
    # HTMX callers get a client-side redirect: the page around them changes, not just a fragment.
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@require_POST
@login_required
def accept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    post = post_for(request, pk)
    topic = topic_for(request, post.topic_id)
    try:
        services.accept_solution(request.user, topic, post)
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "Marked as the solution. Thank you for closing the loop!")
    return _back_to(request, topic.get_absolute_url() + f"#post-{post.pk}")


@require_POST
@login_required
def unaccept(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    topic = topic_for(request, pk)
    try:
        services.unaccept_solution(request.user, topic)
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "The question is open again.")
    return _back_to(request, topic.get_absolute_url())


@require_POST
@login_required
def me_too(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    topic = topic_for(request, pk)
    value = post_value(request, "value")
    error = None
    try:
        services.me_too(request.user, topic, value)
    except ServiceError as exc:
        raise_for_access(exc)
        error = exc.message
    voted = selectors.has_voted(request.user, topic)
    if request.htmx:
        return render(request, "support/_me_too.html",
                      {"topic": topic, "me_too": voted, "is_asker": topic.author_id == request.user.id,
                       "error": error})
    if error:
        messages.error(request, error)
    elif voted:
        messages.success(request, "Counted. You will be notified when it is answered.")
    return redirect(topic)


@require_POST
@login_required
def follow(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    topic = topic_for(request, pk)
    following = post_value(request, "value") == 1
    if following:
        notifications.subscribe(request.user, topic=topic)
    else:
        notifications.unsubscribe(request.user, topic=topic)
    if request.htmx:
        return render(request, "support/_follow.html", {"topic": topic, "following": following})
    messages.success(request, "You follow this question." if following else "You no longer follow this question.")
    return redirect(topic)


# The agent queue -------------------------------------------------------------------------------


def questions(request: HttpRequest) -> HttpResponse:
    """Every question the viewer may see, across spaces, with the same tabs as a space."""
    listing = topic_listing(request, ask_url=reverse("ask"), show_space=True)
    if isinstance(listing, HttpResponse):
        return listing
    return render(request, "support/questions.html", listing)


def _require_agent(request: HttpRequest) -> None:
    if not access.can_work_queue(request.user):
        raise PermissionDenied("Only support agents work the queue.")


@login_required
def agent_queue(request: HttpRequest) -> HttpResponse:
    _require_agent(request)
    state = request.GET.get("state") or "open"
    if state not in dict(QUEUE_TABS):
        return bad_request(request, f"Unknown tab: use {', '.join(dict(QUEUE_TABS))}.", field="state")
    # Oldest escalation first, except resolved work: most recent first.
    ordering = ["-resolved_at", "-topic_id"] if state == "resolved" else ["escalated_at", "topic_id"]
    queue = services.agent_queue(request.user, state)
    try:
        # The page's order and who claimed what first; each row's HTML is shared by the agents who see it
        # alike (core.fragments), and only the rows missing from the cache are read in full.
        page = keyset_page(queue.select_related(None).only(*QUEUE_ROW_KEY), ordering,
                           request.GET.get("cursor") or None, QUEUE_PAGE_SIZE)
    except InvalidCursor as exc:
        return bad_request(request, str(exc), field="cursor")
    here = request.get_full_path()
    links = selectors.Links()
    row_template = get_template("support/_queue_row.html")

    def render_rows(keys: list[Question]) -> list[str]:
        full = queue.in_bulk([key.topic_id for key in keys])
        # A row that left the queue since the page was read (claimed, resolved) shows as it was read.
        full = {key.topic_id: full.get(key.topic_id, key) for key in keys}
        return [row_template.render({
            "item": full[key.topic_id],
            "mine": key.claimed_by_id == request.user.pk,
            "url": links.by_pk("topic", key.topic_id),
            "space_url": links.space(full[key.topic_id].topic.space),
            **{f"{action}_url": links.by_pk("queue_action", key.topic_id, action) for action in QUEUE_ACTIONS},
            "here": here,
            "csrf_input": fragments.CSRF_PLACEHOLDER,
        }) for key in keys]

    rows = fragments.each(request, "queue_row", page.items,
                          lambda key: (key.topic_id, key.claimed_by_id, key.queue_state, key.escalated_at,
                                       key.resolved_at, key.claimed_by_id == request.user.pk, here), render_rows)
    return render(request, "support/agent_queue.html", {
        "rows": fragments.with_csrf(request, "".join(rows)), "state": state, "tabs": QUEUE_TABS,
        "next_url": query_with(request, cursor=page.next_cursor) if page.next_cursor else None,
    })


# Enough of a queue entry to order the page and to know how an agent sees it.
QUEUE_ROW_KEY = ("topic_id", "claimed_by_id", "queue_state", "escalated_at", "resolved_at")

QUEUE_ACTIONS = {
    "claim": (services.claim_question, "You claimed “{}”: answer it on the question page."),
    "release": (services.release_question, "You released “{}” back to the queue."),
    "resolve": (services.resolve_question, "“{}” is resolved."),
}


@require_POST
@login_required
def queue_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    _require_agent(request)
    if action not in QUEUE_ACTIONS:
        return bad_request(request, "Use claim, release or resolve.", field="action")
    topic = topic_for(request, pk)
    act, done = QUEUE_ACTIONS[action]
    try:
        act(request.user, topic)
    except ServiceError as exc:
        raise_for_access(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(topic.title))
    return HttpResponseRedirect(safe_next(request, reverse("agent_queue")))

"""Writes to the content core: topics, posts, edits with history, soft delete, votes and kudos."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from townhall.activity.services import record_event
from townhall.content import signals, threads
from townhall.content.models import BODY_MAX, TITLE_MAX, TOPIC_KINDS, Kudos, Post, Revision, Tag, Topic, TopicVote
from townhall.core import access, gates, viewcounts
from townhall.core.errors import Conflict, InvalidInput, NotAllowed, NotFound, Unprocessable
from townhall.core.markdown import find_mentions, render_markdown
from townhall.core.ratelimit import check_posting_rate
from townhall.reputation.services import credit
from townhall.spaces.models import Space

TAG_RE = re.compile(r"^[a-z0-9][a-z0-9+#.-]{0,39}$")
MAX_TAGS = 5
KIND_FOR_SPACE = {
    "forum": {"question", "discussion"},
    "ideas": {"idea", "discussion"},
    "blog": {"blog"},
    "gallery": {"media"},
    "group": {"discussion", "question"},
    "kb": {"discussion"},
    "reviews": {"review"},
}


def clean_title(title: Any) -> str:
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("A title is required.", field="title")
    if "\x00" in title:
        raise InvalidInput("The title contains a character that is not allowed.", field="title")
    title = " ".join(title.split())
    if len(title) < 5:
        raise InvalidInput("The title is too short: say in a few words what it is about.", field="title")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"The title is too long: at most {TITLE_MAX} characters.", field="title")
    return title


def clean_body(body: Any, field: str = "body") -> str:
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput("The text is empty.", field=field)
    if "\x00" in body:  # PostgreSQL cannot store it
        raise InvalidInput("The text contains a character that is not allowed.", field=field)
    if len(body) > BODY_MAX:
        raise InvalidInput(f"The text is too long: at most {BODY_MAX:,} characters.", field=field)
    return body.replace("\r\n", "\n").strip()  # browsers send CRLF: an untouched text is not a change


def clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = re.split(r"[\s,]+", tags)
    names: list[str] = []
    for raw in tags:
        if not isinstance(raw, str):
            raise InvalidInput("Tags must be words.", field="tags")
        name = raw.strip().lower().lstrip("#")
        if not name:
            continue
        if not TAG_RE.match(name):
            raise InvalidInput(
                f"“{name[:50]}” is not a valid tag: use up to 40 letters, digits, and - + # .", field="tags"
            )
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags.", field="tags")
    return names


def render_with_mentions(body: str) -> tuple[str, list[int]]:
    """Render Markdown, linking @mentions of members who exist; return the HTML and their ids."""
    names = find_mentions(body)
    users = {}
    if names:
        User = get_user_model()
        users = dict(User.objects.filter(username__in=names[:20], is_active=True).values_list("username", "id"))
    return render_markdown(body, set(users)), list(users.values())


def _set_tags(topic: Topic, names: list[str]) -> None:
    old = set(topic.tags.values_list("name", flat=True))
    new = set(names)
    for name in new - old:
        try:
            with transaction.atomic():
                tag, _ = Tag.objects.get_or_create(name=name)
        except IntegrityError:  # another request created this new tag at the same moment
            tag = Tag.objects.get(name=name)
        topic.tags.add(tag)
        Tag.objects.filter(pk=tag.pk).update(topic_count=F("topic_count") + 1)
    removed = list(Tag.objects.filter(name__in=old - new))
    if removed:
        topic.tags.remove(*removed)
        Tag.objects.filter(pk__in=[t.pk for t in removed]).update(topic_count=F("topic_count") - 1)


@transaction.atomic
def create_topic(author: Any, space: Space, *, kind: str, title: str, body: str,
                 tags: Iterable[str] | str | None = None, created_at: Any = None,
                 check_rate: bool = True) -> Topic:
    if not access.can_post(author, space):
        raise NotFound("No such space.", field="space")
    if kind not in dict(TOPIC_KINDS):
        raise InvalidInput(f"Unknown kind “{kind}”.", field="kind")
    if kind not in KIND_FOR_SPACE.get(space.kind, set()):
        raise Unprocessable(
            f"A {space.get_kind_display().lower()} space does not take topics of kind “{kind}”.", field="kind"
        )
    title = clean_title(title)
    body = clean_body(body)
    tag_names = clean_tags(tags)
    gates.check_may_post(author)
    if check_rate:  # members writing (importers and the benchmark's generator do not)
        gates.check_content(author, f"{title}\n{body}")
    if check_rate:
        check_posting_rate(author)
    body_html, mentioned = render_with_mentions(body)
    now = created_at or timezone.now()
    topic = Topic.objects.create(
        space=space, kind=kind, title=title, body=body, body_html=body_html, author=author,
        created_at=now, last_activity_at=now,
    )
    if tag_names:
        _set_tags(topic, tag_names)
    Space.objects.filter(pk=space.pk).update(topic_count=F("topic_count") + 1)
    if kind == "question":
        get_user_model().objects.filter(pk=author.pk).update(question_count=F("question_count") + 1)
    signals.topic_created.send(sender=Topic, topic=topic, actor=author)
    if check_rate:
        gates.check_hold(author, topic)
    record_event("topic.created", author, topic=topic, mentioned=mentioned)
    return topic


@transaction.atomic
def create_post(author: Any, topic: Topic, *, body: str, parent: Post | None = None,
                created_at: Any = None, check_rate: bool = True) -> Post:
    if not access.can_view_topic(author, topic) or not access.can_post(author, topic.space):
        raise NotFound("No such topic.", field="topic")
    body = clean_body(body)
    if parent is not None:
        if parent.topic_id != topic.id or parent.is_deleted:
            raise InvalidInput("The post you reply to is not in this topic.", field="parent")
        if parent.is_topic_comment:
            raise InvalidInput("Comments on the question cannot be replied to; reply to an answer.",
                               field="parent")
        if parent.parent_id is not None:
            parent = parent.parent  # comments are one level deep: reply to the answer
    # The topic as it is now, locked until this post is counted: a reply racing a lock, a merge or a
    # removal finds it done, and is not stranded in a topic no one sees.
    current = Topic.objects.select_for_update().filter(pk=topic.pk).values(
        "is_deleted", "is_locked", "lock_reason", "duplicate_of_id", "merged_into_id").first()
    if current is None:
        raise NotFound("No such topic.", field="topic")
    for name, value in current.items():
        setattr(topic, name, value)
    if topic.is_deleted and not access.can_see_deleted(author):
        if access.is_held_for_its_author(author, topic):
            raise Unprocessable("This waits for a moderator: replies open once it is published.", field="topic")
        raise NotFound("No such topic.", field="topic")
    threads.may_reply(author, topic, is_answer=parent is None)
    gates.check_may_post(author)
    if check_rate:
        gates.check_content(author, body)
    if check_rate:
        check_posting_rate(author)
    body_html, mentioned = render_with_mentions(body)
    now = created_at or timezone.now()
    post = Post.objects.create(
        topic=topic, parent=parent, author=author, body=body, body_html=body_html, created_at=now,
        official=bool(parent is None and topic.kind == "question" and (author.is_agent or author.is_staff)),
    )
    updates: dict[str, Any] = {"reply_count": F("reply_count") + 1, "last_activity_at": now}
    if parent is None:
        updates["answer_count"] = F("answer_count") + 1
        if topic.kind == "question":
            get_user_model().objects.filter(pk=author.pk).update(answer_count=F("answer_count") + 1)
    else:
        Post.objects.filter(pk=parent.pk).update(comment_count=F("comment_count") + 1)
    Topic.objects.filter(pk=topic.pk).update(**updates)
    Space.objects.filter(pk=topic.space_id).update(post_count=F("post_count") + 1)
    topic.refresh_from_db(fields=["reply_count", "answer_count", "last_activity_at"])
    if check_rate:
        gates.check_hold(author, post)
    if not post.is_deleted:  # a held post counts for the kind's rules once approved (post_restored)
        signals.post_created.send(sender=Post, post=post, actor=author)
    record_event("post.created", author, topic=topic, post=post, mentioned=mentioned,
                 parent=parent.id if parent else None)
    return post


def _keep_revision(editor: Any, *, topic: Topic | None = None, post: Post | None = None) -> None:
    if topic is not None:
        Revision.objects.create(topic=topic, title=topic.title, body=topic.body, edited_by=editor)
    elif post is not None:
        Revision.objects.create(post=post, body=post.body, edited_by=editor)


@transaction.atomic
def edit_topic(editor: Any, topic: Topic, *, title: str | None = None, body: str | None = None,
               tags: Iterable[str] | str | None = None, moderator_note: Any = None) -> Topic:
    """The author's or a moderator's edit; the old version is kept. A moderator editing someone else's
    topic may leave a public note saying why ("edited by a moderator: …")."""
    if not access.can_view_topic(editor, topic):
        raise NotFound("No such topic.")
    if not access.can_edit(editor, topic):
        if topic.is_deleted and topic.author_id == editor.id:
            raise Unprocessable("This was deleted: it cannot be edited unless a moderator restores it.")
        raise NotAllowed("Only the author or a moderator may edit this.")
    note = _moderator_note(editor, topic, moderator_note)
    new_title = clean_title(title) if title is not None else topic.title
    new_body = clean_body(body) if body is not None else topic.body
    if note is not None and new_title == topic.title and new_body == topic.body:
        raise Unprocessable("Nothing changed: edit the text, then say why.", field="body")
    if new_title != topic.title or new_body != topic.body:
        gates.check_may_post(editor)
        gates.check_content(editor, f"{new_title}\n{new_body}")
        _keep_revision(editor, topic=topic)
        topic.title, topic.body = new_title, new_body
        topic.body_html, _ = render_with_mentions(new_body)
        topic.edited_at = timezone.now()
        fields = ["title", "body", "body_html", "edited_at"]
        if note is not None or (topic.moderator_note and editor.pk == topic.author_id):
            topic.moderator_note = note or ""  # the author's own edit: the moderator's note no longer applies
            fields.append("moderator_note")
        topic.save(update_fields=fields)
    if tags is not None:
        _set_tags(topic, clean_tags(tags))
    record_event("topic.edited", editor, topic=topic, **({"reason": note} if note else {}))
    return topic


@transaction.atomic
def edit_post(editor: Any, post: Post, *, body: str, moderator_note: Any = None) -> Post:
    if not access.can_view_post(editor, post):
        raise NotFound("No such post.")
    if not access.can_edit(editor, post):
        if post.is_deleted and post.author_id == editor.id:
            raise Unprocessable("This was deleted: it cannot be edited unless a moderator restores it.")
        raise NotAllowed("Only the author or a moderator may edit this.")
    note = _moderator_note(editor, post, moderator_note)
    new_body = clean_body(body)
    if note is not None and new_body == post.body:
        raise Unprocessable("Nothing changed: edit the text, then say why.", field="body")
    if new_body != post.body:
        gates.check_may_post(editor)
        gates.check_content(editor, new_body)
        _keep_revision(editor, post=post)
        post.body = new_body
        post.body_html, _ = render_with_mentions(new_body)
        post.edited_at = timezone.now()
        fields = ["body", "body_html", "edited_at"]
        if note is not None or (post.moderator_note and editor.pk == post.author_id):
            post.moderator_note = note or ""  # the author's own edit: the moderator's note no longer applies
            fields.append("moderator_note")
        post.save(update_fields=fields)
        record_event("post.edited", editor, topic=post.topic, post=post, **({"reason": note} if note else {}))
    return post


def _moderator_note(editor: Any, item: Topic | Post, note: Any) -> str | None:
    """The public reason a moderator gives for editing someone else's words; None when there is none to
    keep (no note given, or the author editing their own)."""
    if note is None or (isinstance(note, str) and not note.strip()):
        return None
    if item.author_id == editor.pk or not access.is_moderator(editor):
        raise Unprocessable("Only a moderator editing someone else's words leaves a moderator's note.",
                            field="moderator_note")
    text = note.strip() if isinstance(note, str) else ""
    if len(text) > 500 or "\x00" in text:
        raise InvalidInput("At most 500 characters of text.", field="moderator_note")
    return text


def _topic_counters(topic: Topic, sign: int) -> None:
    """A topic leaving (-1) or coming back (+1): its space's and its author's counts follow."""
    Space.objects.filter(pk=topic.space_id).update(
        topic_count=F("topic_count") + sign, post_count=F("post_count") + sign * topic.reply_count
    )
    if topic.kind == "question":
        get_user_model().objects.filter(pk=topic.author_id).update(question_count=F("question_count") + sign)


@transaction.atomic
def delete_topic(actor: Any, topic: Topic, *, reason: str = "") -> Topic:
    if not access.can_view_topic(actor, topic):
        raise NotFound("No such topic.")
    if not access.can_delete(actor, topic):
        raise NotAllowed("Only the author or a moderator may delete this.")
    # Conditional update: of two concurrent deletes (a double click, a retry) only one counts.
    changed = Topic.objects.filter(pk=topic.pk, is_deleted=False).update(
        is_deleted=True, deleted_at=timezone.now(), deleted_by=actor
    )
    topic.refresh_from_db()
    if changed:
        _topic_counters(topic, -1)
        record_event("topic.deleted", actor, topic=topic, reason=reason)
    return topic


@transaction.atomic
def restore_topic(actor: Any, topic: Topic, *, reason: str = "") -> Topic:
    if not access.can_restore(actor, topic):
        raise NotAllowed("Only a moderator, or the author who deleted it, may restore this.")
    if topic.merged_into_id:
        raise Unprocessable("This topic was merged into another: its replies live there now.", field="topic")
    changed = Topic.objects.filter(pk=topic.pk, is_deleted=True).update(
        is_deleted=False, deleted_at=None, deleted_by=None
    )
    topic.refresh_from_db()
    if changed:
        _topic_counters(topic, +1)
        record_event("topic.restored", actor, topic=topic, reason=reason)
    return topic


def _post_counters(post: Post, sign: int) -> None:
    updates: dict[str, Any] = {"reply_count": F("reply_count") + sign}
    if post.parent_id is None:
        if not post.is_topic_comment:
            updates["answer_count"] = F("answer_count") + sign
    else:
        Post.objects.filter(pk=post.parent_id).update(comment_count=F("comment_count") + sign)
    Topic.objects.filter(pk=post.topic_id).update(**updates)
    Space.objects.filter(pk=post.topic.space_id).update(post_count=F("post_count") + sign)
    if post.parent_id is None and not post.is_topic_comment and post.topic.kind == "question":
        get_user_model().objects.filter(pk=post.author_id).update(answer_count=F("answer_count") + sign)


@transaction.atomic
def delete_post(actor: Any, post: Post, *, reason: str = "") -> Post:
    if not access.can_view_post(actor, post):
        raise NotFound("No such post.")
    if not access.can_delete(actor, post):
        raise NotAllowed("Only the author or a moderator may delete this.")
    # Conditional update: of two concurrent deletes only one changes the counters.
    changed = Post.objects.filter(pk=post.pk, is_deleted=False).update(
        is_deleted=True, deleted_at=timezone.now(), deleted_by=actor
    )
    post.refresh_from_db()
    if changed:
        _post_counters(post, -1)
        signals.post_removed.send(sender=Post, post=post, actor=actor)
        record_event("post.deleted", actor, topic=post.topic, post=post, reason=reason)
    return post


@transaction.atomic
def restore_post(actor: Any, post: Post, *, reason: str = "") -> Post:
    if not access.can_restore(actor, post):
        raise NotAllowed("Only a moderator, or the author who deleted it, may restore this.")
    changed = Post.objects.filter(pk=post.pk, is_deleted=True).update(
        is_deleted=False, deleted_at=None, deleted_by=None
    )
    post.refresh_from_db()
    if changed:
        _post_counters(post, +1)
        signals.post_restored.send(sender=Post, post=post, actor=actor)
        record_event("post.restored", actor, topic=post.topic, post=post, reason=reason)
    return post


def confirm_removal(actor: Any, item: Topic | Post) -> bool:
    """A moderator upholds the removal of what flags or a hold hid: it is now deleted by them, so its author
    no longer sees it as waiting for review. No counter changes: it was already out of them."""
    changed = type(item).objects.filter(pk=item.pk, is_deleted=True, deleted_by__isnull=True).update(
        deleted_by=actor)
    item.refresh_from_db(fields=["deleted_by"])
    return bool(changed)


@transaction.atomic
def hide_for_review(item: Topic | Post, *, reason: str = "flagged by members") -> bool:
    """Taken down until a moderator reviews it (members' flags weighed enough, or held as a new member's
    first post): as a deletion by no one, so every list, search and notification already leaves it out.
    True if this call hid it."""
    now = timezone.now()
    if isinstance(item, Topic):
        changed = Topic.objects.filter(pk=item.pk, is_deleted=False).update(is_deleted=True, deleted_at=now,
                                                                             deleted_by=None)
        item.refresh_from_db()
        if changed:
            _topic_counters(item, -1)
            record_event("topic.hidden", None, topic=item, reason=reason)
        return bool(changed)
    changed = Post.objects.filter(pk=item.pk, is_deleted=False).update(is_deleted=True, deleted_at=now,
                                                                        deleted_by=None)
    item.refresh_from_db()
    if changed:
        _post_counters(item, -1)
        signals.post_removed.send(sender=Post, post=item, actor=None)
        record_event("post.hidden", None, topic=item.topic, post=item, reason=reason)
    return bool(changed)


@transaction.atomic
def set_topic_vote(user: Any, topic: Topic, value: int) -> tuple[int, int]:
    """Vote (1) or withdraw (0); idempotent. Returns (vote_count, your_vote)."""
    if not access.can_view_topic(user, topic) or not user.is_authenticated:
        raise NotFound("No such topic.")
    if value not in (0, 1):
        raise InvalidInput("The value must be 1 (vote) or 0 (withdraw).", field="value")
    if value == 1:
        if topic.author_id == user.id:
            raise Unprocessable("You cannot vote for your own topic.", field="value")
        try:
            with transaction.atomic():
                TopicVote.objects.create(topic=topic, user=user)
        except IntegrityError:
            pass  # already voted: idempotent
        else:
            Topic.objects.filter(pk=topic.pk).update(vote_count=F("vote_count") + 1)
            credit(topic.author_id, "vote_received")
            record_event("topic.voted", user, topic=topic)
    else:
        deleted, _ = TopicVote.objects.filter(topic=topic, user=user).delete()
        if deleted:
            Topic.objects.filter(pk=topic.pk).update(vote_count=F("vote_count") - 1)
            credit(topic.author_id, "vote_received", -1)
            record_event("topic.unvoted", user, topic=topic)
    topic.refresh_from_db(fields=["vote_count"])
    return topic.vote_count, value


@transaction.atomic
def give_kudos(user: Any, post: Post) -> int:
    if not user.is_authenticated or not access.can_view_post(user, post) or post.is_deleted:
        raise NotFound("No such post.")
    if post.author_id == user.id:
        raise Unprocessable("You cannot give kudos to your own post.")
    try:
        with transaction.atomic():
            Kudos.objects.create(post=post, user=user)
    except IntegrityError:
        raise Conflict("You already gave kudos to this post.")
    Post.objects.filter(pk=post.pk).update(kudos_count=F("kudos_count") + 1)
    credit(post.author_id, "kudos_received")
    record_event("post.kudos", user, topic=post.topic, post=post)
    post.refresh_from_db(fields=["kudos_count"])
    return post.kudos_count


@transaction.atomic
def withdraw_kudos(user: Any, post: Post) -> int:
    if not user.is_authenticated or not access.can_view_post(user, post):
        raise NotFound("No such post.")
    deleted, _ = Kudos.objects.filter(post=post, user=user).delete()
    if deleted:
        Post.objects.filter(pk=post.pk).update(kudos_count=F("kudos_count") - 1)
        credit(post.author_id, "kudos_received", -1)
        record_event("post.kudos_withdrawn", user, topic=post.topic, post=post)
    post.refresh_from_db(fields=["kudos_count"])
    return post.kudos_count


def record_view(topic: Topic) -> None:
    """Count a page view (not an event: views are many and carry no decision). Written within
    VIEW_COUNT_FLUSH_SECONDS, with the other views of the same process (core.viewcounts)."""
    viewcounts.count_view(VIEWED_TOPIC, topic.pk)


VIEWED_TOPIC = "content.Topic"


def get_topic_for(user: Any, topic_id: Any, *, related: tuple[str, ...] = ()) -> Topic:
    """The topic if this person may see it; NotFound otherwise (private things do not exist).
    `related`: more relations to read with it (select_related), for a page that shows them."""
    try:
        topic = Topic.objects.select_related("space", "author", *related).get(pk=int(topic_id))
    except (Topic.DoesNotExist, TypeError, ValueError):
        raise NotFound("No such topic.")
    if not access.can_view_topic(user, topic):
        raise NotFound("No such topic.")
    return topic


def get_post_for(user: Any, post_id: Any) -> Post:
    try:
        post = Post.objects.select_related("topic", "topic__space", "author").get(pk=int(post_id))
    except (Post.DoesNotExist, TypeError, ValueError):
        raise NotFound("No such post.")
    if not access.can_view_post(user, post):
        raise NotFound("No such post.")
    return post


def reconcile_counters(progress: Any = None) -> dict[str, int]:
    """Recount the kept counters from the rows and fix any that drifted. Returns fixes per counter.

    Counters are updated atomically in the write path; this job is the safety net (a crash
    between writes, a manual database edit, an import) and runs daily. Votes and kudos an import
    brought as numbers only (voters unknown) are kept apart (`imported_votes`, `imported_kudos`) and
    counted in, so recounting never loses them.
    """
    from django.db.models import Count, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    from townhall.support.models import Question

    fixed: dict[str, int] = {}

    def count_of(model: Any, field: str, extra: Q) -> Any:
        return Coalesce(
            Subquery(
                model.objects.filter(extra, **{field: OuterRef("pk")})
                .order_by()
                .values(field)
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        )

    live = Q(is_deleted=False)
    checks: list[tuple[Any, str, Any]] = [
        (Topic, "reply_count", count_of(Post, "topic", live)),
        (Topic, "answer_count", count_of(Post, "topic", live & Q(parent__isnull=True, is_topic_comment=False))),
        (Topic, "vote_count", count_of(TopicVote, "topic", Q()) + F("imported_votes")),
        (Post, "kudos_count", count_of(Kudos, "post", Q()) + F("imported_kudos")),
        (Post, "comment_count", count_of(Post, "parent", live)),
        (Space, "topic_count", count_of(Topic, "space", live)),
        (Space, "post_count", count_of(Post, "topic__space", live & Q(topic__is_deleted=False))),
        (Tag, "topic_count", count_of(Topic.tags.through, "tag", Q())),
        (get_user_model(), "question_count", count_of(Topic, "author", live & Q(kind="question"))),
        (get_user_model(), "answer_count", count_of(
            Post, "author", live & Q(parent__isnull=True, is_topic_comment=False, topic__kind="question"))),
        (get_user_model(), "solution_count", count_of(Question, "accepted_post__author", Q())),
    ]
    for model, field, expression in checks:
        drifted = model.objects.annotate(actual=expression).exclude(**{field: F("actual")})
        n = 0
        for pk, actual in drifted.values_list("pk", "actual").iterator():
            model.objects.filter(pk=pk).update(**{field: actual})
            n += 1
        fixed[f"{model.__name__}.{field}"] = n
        if progress:
            progress(f"{model.__name__}.{field}: {n} fixed")
    return fixed

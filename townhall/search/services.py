"""One search interface, two backends: SQLite FTS5 and PostgreSQL full-text search.

The index (SearchDocument, one row per topic and per answer/comment) is kept in step with the
content by `handle_event`, which consumes the activity log idempotently. Reading goes through
`search` and `similar_solved`, which only ever return what the searcher may see.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from django.db import connection, transaction
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from townhall.activity.models import Event
from townhall.content.models import TOPIC_KINDS, Post, Topic
from townhall.content.services import clean_tags
from townhall.core import access
from townhall.core.errors import InvalidInput
from townhall.core.markdown import html_to_text
from townhall.core.pagination import InvalidCursor, decode_offset_cursor, offset_cursor
from townhall.search.models import SearchDocument
from townhall.spaces.models import Space

QUERY_MAX = 200
LIMIT_MAX = 50
MAX_TERMS = 16
# Marks around matches in snippets: control characters never present in indexed text, so that
# the text can be HTML-escaped first and the marks turned into <mark> after.
MARK_START, MARK_END = "\x02", "\x03"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Letters and digits only: whatever else a person types (quotes, operators, *, ^, -, emoji)
# is a separator, so no input can become query syntax on either backend.
# Words, and version numbers whole ("4.1.0"): PostgreSQL indexes those as one token, and FTS5
# matches them as a phrase of their parts.
_TERM_RE = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")
# PostgreSQL's "english" configuration drops these; FTS5 has no stop words, so drop them here
# too, or "how do I reset my widget" would require every one of them to be in the text.
STOP_WORDS = frozenset({
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can",
    "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further",
    "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
    "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my",
    "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our",
    "ours", "ourselves", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than",
    "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they", "this",
    "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    "yours", "yourself", "yourselves"
})
SIMILAR_MIN_CHARS = 4


@dataclass
class SearchHit:
    type: str  # "topic" or "post"
    id: int
    topic_id: int
    title: str
    snippet: SafeString  # escaped text, matches wrapped in <mark>
    url: str
    space_name: str
    space_slug: str
    solved: bool
    created_at: datetime


@dataclass
class SearchPage:
    results: list[SearchHit]
    next_cursor: str | None
    offset: int = 0


# Indexing -------------------------------------------------------------------------------------


def _plain_text(body_html: str) -> str:
    return _CONTROL_RE.sub(" ", html_to_text(body_html))


def _tag_string(topic: Topic) -> str:
    return " ".join(sorted(tag.name for tag in topic.tags.all()))


def _topic_fields(topic: Topic, tags: str) -> dict[str, Any]:
    """What an answer's document copies from its topic (for display and filters)."""
    return {
        "topic_id": topic.id,
        "space_id": topic.space_id,
        "kind": topic.kind,
        "solved": topic.status == "solved",
        "tags": tags,
        "title": topic.title,
    }


def _post_is_live(post: Post) -> bool:
    """Searchable: neither the post, its topic, nor the answer it comments on is deleted."""
    if post.is_deleted or post.topic.is_deleted:
        return False
    parent = post.parent  # None for an answer: no query is made then
    return parent is None or not parent.is_deleted


def index_topic(topic: Topic) -> None:
    """Write the topic's document, and refresh the copies its answers' documents keep."""
    if topic.is_deleted:
        unindex_topic(topic)
        return
    tags = _tag_string(topic)
    fields = _topic_fields(topic, tags)
    SearchDocument.objects.update_or_create(
        doc_type="topic", object_id=topic.id,
        defaults={**fields, "body": _plain_text(topic.body_html), "created_at": topic.created_at},
    )
    SearchDocument.objects.filter(topic_id=topic.id, doc_type="post").update(**fields)


def index_post(post: Post, *, tags: str | None = None) -> None:
    """Write an answer's or comment's document, or remove it if it is no longer searchable."""
    if not _post_is_live(post):
        unindex_post(post)
        return
    topic = post.topic
    fields = _topic_fields(topic, _tag_string(topic) if tags is None else tags)
    SearchDocument.objects.update_or_create(
        doc_type="post", object_id=post.id,
        defaults={**fields, "body": _plain_text(post.body_html), "created_at": post.created_at},
    )


def index_topic_with_posts(topic: Topic) -> None:
    """The topic and all its live posts (after a restore)."""
    index_topic(topic)
    if topic.is_deleted:
        return
    tags = _tag_string(topic)
    posts = Post.objects.filter(topic=topic, is_deleted=False).select_related("topic", "parent")
    for post in posts:
        index_post(post, tags=tags)


def unindex_topic(topic: Topic) -> None:
    """A deleted topic leaves the index with all its posts."""
    SearchDocument.objects.filter(topic_id=topic.id).delete()


def unindex_post(post: Post) -> None:
    """A deleted post leaves the index, and so do the comments under it."""
    ids = [post.id, *Post.objects.filter(parent_id=post.id).values_list("id", flat=True)]
    SearchDocument.objects.filter(doc_type="post", object_id__in=ids).delete()


def restore_post(post: Post) -> None:
    """A restored post comes back, with the live comments under it."""
    index_post(post)
    if post.parent_id is None and _post_is_live(post):
        tags = _tag_string(post.topic)
        for comment in Post.objects.filter(parent=post, is_deleted=False).select_related("topic", "parent"):
            index_post(comment, tags=tags)


def sync_solved(topic_id: int) -> None:
    """Copy the topic's solved state onto all its documents (after accept, unaccept, deletes)."""
    status = Topic.objects.filter(pk=topic_id).values_list("status", flat=True).first()
    if status is None:
        return
    solved = status == "solved"
    SearchDocument.objects.filter(topic_id=topic_id).exclude(solved=solved).update(solved=solved)


TOPIC_VERBS = {"topic.created", "topic.edited", "topic.deleted", "topic.hidden", "topic.restored", "topic.moved",
               "topic.merged", "topic.merge_received"}
POST_VERBS = {"post.created", "post.edited", "post.deleted", "post.hidden", "post.restored"}
SOLUTION_VERBS = {"question.accepted", "question.unaccepted"}


def handle_event(event: Event) -> None:
    """The activity-log consumer. Reads the current state, so replaying any event is harmless."""
    verb = event.verb
    if verb in TOPIC_VERBS and event.topic_id:
        topic = Topic.objects.filter(pk=event.topic_id).first()
        if topic is None:
            return
        if verb in {"topic.deleted", "topic.hidden"}:
            unindex_topic(topic)
        elif verb in {"topic.restored", "topic.merge_received"}:  # posts came back, or came from a merge
            index_topic_with_posts(topic)
        else:
            index_topic(topic)
    elif verb in POST_VERBS and event.post_id:
        post = Post.objects.select_related("topic", "parent").filter(pk=event.post_id).first()
        if post is None:
            return
        if verb in {"post.deleted", "post.hidden"}:
            unindex_post(post)
        elif verb == "post.restored":
            restore_post(post)
        else:
            index_post(post)
        if verb in {"post.deleted", "post.hidden", "post.restored"}:
            # Deleting the accepted answer un-solves the question.
            sync_solved(post.topic_id)
    elif verb in SOLUTION_VERBS and event.topic_id:
        sync_solved(event.topic_id)


def _write_documents(topics: Any, progress: Callable[[int, int], None] | None, batch_size: int) -> int:
    """Write the documents of `topics` (live ones) and of their live posts, in batches."""
    topics = topics.filter(is_deleted=False).order_by("id")
    total = topics.count()
    done = written = 0
    last_id = 0
    while True:
        batch = list(topics.filter(id__gt=last_id).prefetch_related("tags")[:batch_size])
        if not batch:
            break
        last_id = batch[-1].id
        docs = []
        by_id = {}
        for topic in batch:
            tags = _tag_string(topic)
            by_id[topic.id] = (topic, tags)
            docs.append(SearchDocument(
                doc_type="topic", object_id=topic.id, body=_plain_text(topic.body_html),
                created_at=topic.created_at, **_topic_fields(topic, tags),
            ))
        posts = (
            Post.objects.filter(topic_id__in=by_id, is_deleted=False)
            .exclude(parent__is_deleted=True)
            .only("id", "topic_id", "body_html", "created_at")
            .order_by("id")
        )
        for post in posts.iterator(chunk_size=1000):
            topic, tags = by_id[post.topic_id]
            docs.append(SearchDocument(
                doc_type="post", object_id=post.id, body=_plain_text(post.body_html),
                created_at=post.created_at, **_topic_fields(topic, tags),
            ))
        SearchDocument.objects.bulk_create(docs, batch_size=500)
        written += len(docs)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return written


def _optimize() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")


def reindex_all(progress: Callable[[int, int], None] | None = None, batch_size: int = 200) -> int:
    """Rebuild the whole index from the content. Returns the number of documents written.

    `progress(topics_done, topics_total)` is called after each batch.
    """
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        written = _write_documents(Topic.objects.all(), progress, batch_size)
    _optimize()
    return written


def reindex_topics(topic_ids: Iterable[int], progress: Callable[[int, int], None] | None = None,
                   batch_size: int = 200) -> int:
    """Rebuild the documents of these topics and their posts (after an import). Returns how many."""
    ids = list(topic_ids)
    written = 0
    with transaction.atomic():
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            SearchDocument.objects.filter(topic_id__in=chunk).delete()
            written += _write_documents(Topic.objects.filter(id__in=chunk), progress, batch_size)
    _optimize()
    return written


# Querying -------------------------------------------------------------------------------------


def query_terms(q: str) -> list[str]:
    """The words of a query, without syntax and without stop words (unless that leaves none)."""
    words = _TERM_RE.findall(q)[: MAX_TERMS * 2]
    significant = [w for w in words if w.lower() not in STOP_WORDS]
    return (significant or words)[:MAX_TERMS]


def _match_expression(terms: list[str], *, any_term: bool = False) -> str:
    """The backend's query text: quoted FTS5 phrases, or words for websearch_to_tsquery."""
    if connection.vendor == "postgresql":
        return (" or " if any_term else " ").join(terms)
    return (" OR " if any_term else " ").join(f'"{term}"' for term in terms)


def _clean_query(q: Any) -> str:
    if not isinstance(q, str) or not q.strip():
        raise InvalidInput("Type a few words to search for.", field="q")
    q = q.strip()
    if len(q) > QUERY_MAX:
        raise InvalidInput(f"The search is too long: at most {QUERY_MAX} characters.", field="q")
    return q


def _safe_snippet(raw: str | None) -> SafeString:
    """Escape the text, then turn the match marks into <mark> elements."""
    raw = raw or ""
    if connection.vendor == "postgresql":
        raw = html.unescape(raw)  # the headline was made from escaped text
    text = escape(raw)
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _space_ids_under(space: Space, visible_ids: list[int]) -> list[int]:
    """The space and its visible descendants: filtering by a product includes its categories."""
    if space.id not in visible_ids:
        return []
    children: dict[int | None, list[int]] = {}
    for space_id, parent_id in Space.objects.filter(id__in=visible_ids).values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(space_id)
    ids, todo = [], [space.id]
    while todo:
        current = todo.pop()
        ids.append(current)
        todo.extend(children.get(current, []))
    return ids


@dataclass
class _Filters:
    """SQL conditions (with their parameters) shared by both backends."""

    where: list[str]
    params: list[Any]


def _filters(space_ids: list[int], *, kind: str | None = None, solved: bool | None = None,
             tags: list[str] | None = None, doc_type: str | None = None) -> _Filters:
    where = [
        f"t.space_id IN ({', '.join(['%s'] * len(space_ids))})",
        "t.is_deleted = %s",
        # A post is searchable while it and the answer it comments on are not deleted.
        "(d.doc_type = 'topic' OR (p.is_deleted = %s AND (pp.id IS NULL OR pp.is_deleted = %s)))",
    ]
    params: list[Any] = [*space_ids, False, False, False]
    if kind:
        where.append("d.kind = %s")
        params.append(kind)
    if solved is not None:
        where.append("d.solved = %s")
        params.append(solved)
    if doc_type:
        where.append("d.doc_type = %s")
        params.append(doc_type)
    for tag in tags or []:
        # Tag names are [a-z0-9+#.-] (clean_tags), so they cannot carry LIKE wildcards.
        where.append("(' ' || d.tags || ' ') LIKE %s")
        params.append(f"% {tag} %")
    return _Filters(where, params)


def _joins() -> str:
    return (
        f"JOIN {Topic._meta.db_table} t ON t.id = d.topic_id "
        f"JOIN {Space._meta.db_table} s ON s.id = t.space_id "
        f"LEFT JOIN {Post._meta.db_table} p ON d.doc_type = 'post' AND p.id = d.object_id "
        f"LEFT JOIN {Post._meta.db_table} pp ON pp.id = p.parent_id "
    )


_COLUMNS = (
    "d.id, d.doc_type, d.object_id, d.topic_id, d.space_id, d.kind, d.solved, d.created_at, "
    "t.title AS topic_title, s.name AS space_name, s.slug AS space_slug"
)


class _RankedDocument(Protocol):
    """A SearchDocument as `_ranked` reads it: the raw query adds its topic's title and its space."""

    doc_type: str
    object_id: int
    topic_id: int
    solved: bool
    created_at: datetime
    topic_title: str
    space_name: str
    space_slug: str
    snippet: str | None  # only when asked for snippets


# Only the newest matches are ranked: ranking every match of a frequent word grows with the community
# (over half a second for one word at a million posts). The most relevant of the newest CANDIDATES is
# what a support community wants; a query of two or three words rarely has more matches than that.
CANDIDATES = 2000


def _ranked(match: str, filters: _Filters, *, limit: int, offset: int, snippets: bool) -> list[_RankedDocument]:
    """Documents matching `match` and `filters`, best first among the newest CANDIDATES, with a
    `snippet` attribute if asked."""
    where = " AND ".join(filters.where)
    if connection.vendor == "postgresql":
        candidates = (
            f"SELECT d.id FROM search_searchdocument d {_joins()}"
            f"WHERE d.search_vector @@ websearch_to_tsquery('english', %s) AND {where} "
            "ORDER BY d.id DESC LIMIT %s"
        )
        inner = (
            f"SELECT {_COLUMNS}, d.body, ts_rank(d.search_vector, query, 1) AS rank "
            f"FROM search_searchdocument d CROSS JOIN websearch_to_tsquery('english', %s) AS query {_joins()}"
            f"WHERE d.id IN ({candidates}) "
            "ORDER BY rank DESC, d.id DESC LIMIT %s OFFSET %s"
        )
        inner_params = [match, match, *filters.params, CANDIDATES, limit, offset]
        outer_columns = "r.id, r.doc_type, r.object_id, r.topic_id, r.space_id, r.kind, r.solved, " \
                        "r.created_at, r.topic_title, r.space_name, r.space_slug, r.rank"
        if snippets:
            # Headlines only for the rows of this page: ts_headline is the costly part. It would
            # drop anything that looks like an HTML tag, so it gets the text with <, > and & escaped
            # (undone in _safe_snippet).
            escaped_body = "replace(replace(replace(r.body, '&', '&amp;'), '<', '&lt;'), '>', '&gt;')"
            sql = (
                f"SELECT {outer_columns}, ts_headline('english', {escaped_body}, "
                f"websearch_to_tsquery('english', %s), %s) AS snippet "
                f"FROM ({inner}) r ORDER BY r.rank DESC, r.id DESC"
            )
            options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=30, MinWords=12, "
                       'MaxFragments=2, FragmentDelimiter=" … "')
            params = [match, options, *inner_params]
        else:
            sql = f"SELECT {outer_columns} FROM ({inner}) r ORDER BY r.rank DESC, r.id DESC"
            params = inner_params
    else:
        # FTS5 walks its matches newest first and stops at CANDIDATES; bm25 is computed for those only.
        # The page's rows are then looked up by rowid (with the match again, for their snippets).
        ranked_page = (
            "SELECT id, score FROM ("
            f"SELECT search_fts.rowid AS id, bm25(search_fts, 10.0, 1.0, 5.0) AS score "
            f"FROM search_fts JOIN search_searchdocument d ON d.id = search_fts.rowid {_joins()}"
            f"WHERE search_fts MATCH %s AND {where} ORDER BY search_fts.rowid DESC LIMIT %s"
            ") ORDER BY score, id DESC LIMIT %s OFFSET %s"
        )
        snippet_column = ", snippet(search_fts, 1, %s, %s, ' … ', 24) AS snippet" if snippets else ""
        sql = (
            f"SELECT {_COLUMNS}{snippet_column} "
            f"FROM ({ranked_page}) r CROSS JOIN search_fts ON search_fts.rowid = r.id "
            f"JOIN search_searchdocument d ON d.id = r.id {_joins()}"
            "WHERE search_fts MATCH %s ORDER BY r.score, r.id DESC"
        )
        params = [*([MARK_START, MARK_END] if snippets else []), match, *filters.params, CANDIDATES,
                  limit, offset, match]
    return cast(list[_RankedDocument], list(SearchDocument.objects.raw(sql, params)))


def _hit(doc: _RankedDocument) -> SearchHit:
    url = reverse("topic", args=[doc.topic_id])
    if doc.doc_type == "post":
        url += f"#post-{doc.object_id}"
    return SearchHit(
        type=doc.doc_type, id=doc.object_id, topic_id=doc.topic_id, title=doc.topic_title,
        snippet=_safe_snippet(doc.snippet), url=url, space_name=doc.space_name, space_slug=doc.space_slug,
        solved=doc.solved, created_at=doc.created_at,
    )


def search(user: Any, q: Any, *, kind: str | None = None, space: Space | None = None,
           solved: bool | None = None, tags: Iterable[str] | str | None = None,
           cursor: str | None = None, limit: int = 20) -> SearchPage:
    """A page of what this person may see that matches `q`, most relevant first."""
    q = _clean_query(q)
    if kind and kind not in dict(TOPIC_KINDS):
        raise InvalidInput(f"Unknown kind “{str(kind)[:30]}”: use {', '.join(dict(TOPIC_KINDS))}.", field="kind")
    if solved is not None and not isinstance(solved, bool):
        raise InvalidInput("Solved is yes, no, or either.", field="solved")
    tag_names = clean_tags(tags)
    if not isinstance(limit, int) or not 1 <= limit <= LIMIT_MAX:
        raise InvalidInput(f"The limit must be between 1 and {LIMIT_MAX}.", field="limit")
    try:
        offset = decode_offset_cursor(cursor)
    except InvalidCursor as exc:
        raise InvalidInput(str(exc), field="cursor")

    space_ids = access.visible_space_ids(user)
    if space is not None:
        space_ids = _space_ids_under(space, space_ids)
    terms = query_terms(q)
    if not space_ids or not terms:
        return SearchPage(results=[], next_cursor=None, offset=offset)
    filters = _filters(space_ids, kind=kind, solved=solved, tags=tag_names)
    docs = _ranked(_match_expression(terms), filters, limit=limit + 1, offset=offset, snippets=True)
    next_cursor = offset_cursor(offset + limit) if len(docs) > limit else None
    return SearchPage(results=[_hit(doc) for doc in docs[:limit]], next_cursor=next_cursor, offset=offset)


def similar_solved(user: Any, title: Any, limit: int = 5) -> list[Topic]:
    """Solved questions like the one being typed ("search before you post"), that this person may see."""
    if not isinstance(title, str):
        return []
    terms = query_terms(title[:QUERY_MAX])
    terms = [term for term in terms if term.lower() not in STOP_WORDS]
    space_ids = access.visible_space_ids(user)
    if not terms or not space_ids:
        return []
    filters = _filters(space_ids, kind="question", solved=True, doc_type="topic")
    docs = _ranked(_match_expression(terms, any_term=True), filters, limit=limit, offset=0, snippets=False)
    topics = Topic.objects.select_related("space").in_bulk([doc.topic_id for doc in docs])
    return [topics[doc.topic_id] for doc in docs if doc.topic_id in topics]


"""Importing a community from elsewhere: a Stack Exchange data dump.

`import_stackexchange` reads the dump's files as streams and writes in batches, one transaction
per batch. Every imported row carries where it came from (`imported_from`, "se:<site>:post:<id>"),
so running the import again creates nothing that is already there, and an interrupted import
resumes where it stopped. Rows that cannot be imported are reported with their file and id and
skipped; a file that is not XML is reported and the others are still imported.

The importer writes other apps' tables directly, in bulk (as a migration would): replaying years
of a community through the per-row services would record an event, a notification check and a
search update for every row. It records one `import.completed` event instead, then hands over to
the apps' own services: `reconcile_counters` (topics', posts', spaces', tags' and members' counts),
`recompute_reputation` (members), `reindex_topics` (search).

How the dump maps to Townhall:

- users → members (unusable password, placeholder email, `imported_from`); posts whose author is
  gone → one placeholder member per shown name, or a "deleted user" one;
- questions → topics of kind question, with their tags and view counts; answers → answers;
  AcceptedAnswerId → the question's accepted solution (the question is solved);
- comments on answers → comments; comments on questions → comments on the question itself
  (`Post.is_topic_comment`: not answers); a comment's score → its kudos;
- up votes → kudos on answers, "me too" on questions. Public dumps do not say who voted, so
  those votes are kept as numbers (`Post.imported_kudos`, `Topic.imported_votes`), which the
  counters and reputation count like votes given here; votes that name their voter become rows.
  Other vote types (down votes, favorites, moderation) have no counterpart and are counted only;
- badges → badges; reputation is not copied but recomputed by Townhall's rules.
- imported questions are marked as already escalated, so an archive never floods the agent queue.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count, islice
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from townhall.activity.services import record_event
from townhall.content.models import TITLE_MAX, Kudos, Post, Tag, Topic, TopicVote
from townhall.content.services import KIND_FOR_SPACE, TAG_RE, reconcile_counters
from townhall.core.errors import InvalidInput, NotFound, Unprocessable
from townhall.core.markdown import render_markdown, sanitize_html
from townhall.imports import stackexchange as se
from townhall.imports.text import html_to_markdown
from townhall.reputation.services import import_badge_awards, recompute_reputation
from townhall.search.services import reindex_topics
from townhall.spaces.models import Space
from townhall.spaces.services import SLUG_RE
from townhall.support.models import Question

BATCH = 1000
_REFERENCE = re.compile(r"\((PostId|ParentId|UserId|AcceptedAnswerId) -?\d+\)")
USERNAME_ROOM = 24  # of the 30 characters a username has: room for "-99999" after it
KINDS = ["members", "tags", "questions", "answers", "accepted answers", "comments", "votes", "badges"]
T = TypeVar("T")


@dataclass
class Tally:
    created: int = 0
    existing: int = 0
    skipped: int = 0


@dataclass
class Problem:
    file: str
    row: str  # "Id 42", or "row at line 7" when it has no Id
    reason: str

    def __str__(self) -> str:
        return f"{self.file} {self.row}: {self.reason}"


@dataclass
class ImportReport:
    site: str
    space_slug: str
    dry_run: bool
    tallies: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in KINDS})
    not_imported: Counter[str] = field(default_factory=Counter)  # by design, with why
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # bad rows, skipped
    file_problems: list[str] = field(default_factory=list)  # files (or their ends) not read
    fixed: int = 0  # counters, reputations and search documents brought up to date afterwards
    seconds: float = 0.0

    @property
    def created(self) -> int:
        return sum(t.created for t in self.tallies.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.fixed)


def _batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def site_key(directory: Path) -> str:
    """The dump's site as a slug, from its directory: "beer.stackexchange.com" → "beer-stackexchange"."""
    slug = slugify(directory.resolve().name.replace(".", "-"))
    return (slug.removesuffix("-com") or "stackexchange")[:60].strip("-")


def site_title(key: str) -> str:
    words = key.replace("stackexchange", "stack-exchange").split("-")
    return " ".join(word.capitalize() for word in words if word)


class StackExchangeImport:
    """One run of the import; `run()` returns its report."""

    def __init__(self, directory: Path, *, space_slug: str | None = None, site_name: str | None = None,
                 dry_run: bool = False, out: Callable[[str], None] | None = None, batch_size: int = BATCH):
        self.directory = Path(directory)
        self.site = site_key(self.directory)
        self.site_name = (site_name or "").strip() or site_title(self.site)
        self.prefix = f"se:{self.site}:"
        self.space_slug = (space_slug or self.site).strip().lower()
        self.dry_run = dry_run
        self.out = out or (lambda line: None)
        self.batch_size = batch_size
        self.report = ImportReport(site=self.site, space_slug=self.space_slug, dry_run=dry_run)
        self.files: dict[str, Path] = {}
        self.space: Space | None = None
        self._fake_ids = count(-1, -1)  # stand-in ids for rows a dry run does not write
        self.members: dict[int, int] = {}  # SE user id → member id
        self.placeholders: dict[str, int] = {}  # imported_from → member id
        self.taken_usernames: set[str] = set()
        self.post_types: dict[int, int] = {}  # SE post id → PostTypeId, for every post in Posts.xml
        self.topics: dict[int, int] = {}  # SE question id → topic id
        self.answers: dict[int, tuple[int, int]] = {}  # SE answer id → (post id, topic id)
        self.authors: dict[tuple[str, int], int] = {}  # ("topic"|"post", id) → author id
        self.accepted: dict[int, tuple[int, str]] = {}  # SE question id → (SE answer id, row text)
        self.accept_dates: dict[int, Any] = {}  # SE answer id → when its acceptance vote was cast
        self.touched_topics: set[int] = set()
        self.imported_members: set[int] = set()

    # Plumbing -----------------------------------------------------------------------------------

    def problem(self, file: str, row: se.Row | str, reason: str, kind: str | None = None) -> None:
        self.report.problems.append(Problem(file, row if isinstance(row, str) else row.id_text, reason))
        if kind:
            self.report.tallies[kind].skipped += 1

    def rows(self, name: str, label: str = "") -> Iterator[se.Row]:
        """The rows of one file, with a progress line every 20,000 rows and one at the end."""
        path = self.files.get(name)
        if path is None:
            return
        started = time.monotonic()
        n = 0

        def file_problem(message: str) -> None:
            self.report.file_problems.append(f"{name}: {message}.")
            self.out(f"  {name}: {message}.")

        for row in se.read_rows(path, file_problem):
            n += 1
            if n % 20000 == 0:
                self.out(f"  {name}: {n:,} rows…")
            yield row
        seconds = time.monotonic() - started
        self.out(f"  {name}{label}: {n:,} rows in {seconds:.1f} s ({n / seconds if seconds else 0:,.0f} rows/s)")

    def save(self, model: Any, objects: list[Any]) -> None:
        """Create `objects` in one statement (ids filled in), or give them stand-in ids in a dry run."""
        if not objects:
            return
        if self.dry_run:
            for obj in objects:
                obj.pk = next(self._fake_ids)
        else:
            model.objects.bulk_create(objects, batch_size=500)

    def write(self) -> Any:
        """A transaction per batch; none in a dry run, which writes nothing."""
        return transaction.atomic() if not self.dry_run else _Nothing()

    # The run ------------------------------------------------------------------------------------

    def run(self) -> ImportReport:
        started = time.monotonic()
        if not self.directory.is_dir():
            raise NotFound(f"No such directory: {self.directory}", field="directory")
        self.files = se.dump_files(self.directory)
        if "Posts.xml" not in self.files:
            found = ", ".join(self.files) or "none of its files"
            raise InvalidInput(f"{self.directory} is not a Stack Exchange data dump: there is no Posts.xml "
                               f"(found {found}).", field="directory")
        for name in se.FILES:
            if name not in self.files:
                self.report.notes.append(f"{name} is not in the dump: nothing of it imported.")
        self.out(f"Importing the Stack Exchange dump of {self.site_name} from {self.directory}"
                 f"{' (dry run: nothing is written)' if self.dry_run else ''}…")
        self.space = self.target_space()
        self.load_existing()
        self.import_users()
        self.import_tags()
        self.import_questions()
        self.import_answers()
        self.import_comments()
        self.import_votes()
        self.import_accepted()
        self.import_badges()
        if not self.dry_run:
            self.finish()
        self.report.seconds = time.monotonic() - started
        if not self.dry_run and self.report.changed:
            with transaction.atomic():
                record_event(
                    "import.completed", None, space=self.space, source="stackexchange", site=self.site,
                    created={kind: t.created for kind, t in self.report.tallies.items()},
                    skipped=len(self.report.problems), seconds=round(self.report.seconds, 1),
                )
        return self.report

    def target_space(self) -> Space:
        space = Space.objects.filter(slug=self.space_slug).first()
        if space is not None:
            if "question" not in KIND_FOR_SPACE.get(space.kind, set()):
                raise Unprocessable(f"The space “{space.slug}” is a {space.get_kind_display().lower()} space: "
                                    "questions go in a forum or group space.", field="space")
            return space
        if not SLUG_RE.match(self.space_slug):
            raise InvalidInput("A space slug is lowercase letters, digits and hyphens (up to 60).", field="space")
        space = Space(slug=self.space_slug, name=self.site_name[:100], kind="forum", visibility="public",
                      description=f"Questions and answers imported from the Stack Exchange data dump of "
                                  f"{self.site_name}.")
        if not self.dry_run:
            space.save()
            self.out(f"  created the public forum space “{space.slug}”")
        return space

    def load_existing(self) -> None:
        """What earlier runs imported from this site, so nothing is created twice."""
        User = get_user_model()
        self.taken_usernames = {name.lower() for name in User.objects.values_list("username", flat=True)}
        for key, pk in User.objects.filter(imported_from__startswith=self.prefix).values_list("imported_from", "pk"):
            kind, _, ident = key[len(self.prefix):].partition(":")
            if kind == "user" and _is_int(ident):
                self.members[int(ident)] = pk
            else:
                self.placeholders[key] = pk
            self.imported_members.add(pk)
        topics = Topic.objects.filter(imported_from__startswith=self.prefix + "post:")
        for key, pk, author in topics.values_list("imported_from", "pk", "author_id"):
            self.topics[int(key.rsplit(":", 1)[1])] = pk
            self.authors["topic", pk] = author
        posts = Post.objects.filter(imported_from__startswith=self.prefix + "post:")
        for key, pk, topic_id, author in posts.values_list("imported_from", "pk", "topic_id", "author_id"):
            self.answers[int(key.rsplit(":", 1)[1])] = (pk, topic_id)
            self.authors["post", pk] = author

    # Members ------------------------------------------------------------------------------------

    def unique_username(self, name: str, fallback: str) -> str:
        base = slugify(name)[:USERNAME_ROOM].strip("-_") or fallback
        candidate, n = base, 1
        while candidate.lower() in self.taken_usernames:
            n += 1
            candidate = f"{base}-{n}"
        self.taken_usernames.add(candidate.lower())
        return candidate

    def new_member(self, key: str, *, username: str, email: str, display_name: str, **fields: Any) -> Any:
        User = get_user_model()
        return User(username=username, email=email, display_name=display_name[:80], imported_from=key,
                    password=make_password(None), **fields)

    def import_users(self) -> None:
        tally = self.report.tallies["members"]
        seen: set[int] = set()
        pending: list[tuple[int, Any]] = []
        for row in self.rows("Users.xml"):
            try:
                se.check_damage(row)
                user_id = se.required_int(row, "Id")
                joined = se.date(row, "CreationDate", optional=True)
            except se.RowProblem as exc:
                self.problem("Users.xml", row, str(exc), "members")
                continue
            if user_id in seen:
                self.problem("Users.xml", row, "a second row with this Id", "members")
                continue
            seen.add(user_id)
            if user_id in self.members:
                tally.existing += 1
                continue
            name = " ".join((row.attrs.get("DisplayName") or "").split()) or f"user{user_id}"
            bio = html_to_markdown(sanitize_html(row.attrs.get("AboutMe") or ""))
            website = (row.attrs.get("WebsiteUrl") or "").strip()
            if website and website not in bio:
                bio = f"{bio}\n\nWebsite: {website}".strip()
            member = self.new_member(
                f"{self.prefix}user:{user_id}",
                username=self.unique_username(name, f"se-user-{user_id}"),
                email=f"se-{user_id}.{self.site}@imported.invalid",
                display_name=name,
                region=" ".join((row.attrs.get("Location") or "").split())[:80],
                bio=bio[:2000],
                date_joined=joined or timezone.now(),
            )
            pending.append((user_id, member))
            if len(pending) >= self.batch_size:
                self._save_members(pending)
                pending = []
        self._save_members(pending)

    def _save_members(self, pending: list[tuple[int, Any]]) -> None:
        with self.write():
            self.save(get_user_model(), [member for _, member in pending])
        for user_id, member in pending:
            self.members[user_id] = member.pk
            self.imported_members.add(member.pk)
        self.report.tallies["members"].created += len(pending)

    def author_of(self, row: se.Row, id_attr: str, name_attr: str) -> int:
        """The member behind a post or comment; a placeholder when the account is gone."""
        user_id = se.integer(row, id_attr, optional=True)
        if user_id is not None and user_id in self.members:
            return self.members[user_id]
        shown = " ".join((row.attrs.get(name_attr) or "").split())
        if shown:
            return self.placeholder(f"{self.prefix}name:{slugify(shown)[:40] or 'unnamed'}", shown)
        return self.placeholder(f"{self.prefix}user:deleted", "Deleted user")

    def placeholder(self, key: str, display_name: str) -> int:
        if key not in self.placeholders:
            member = self.new_member(
                key, username=self.unique_username(f"{display_name}", "deleted-user"),
                email=f"{slugify(key.replace(':', '-'))[:50]}@imported.invalid", display_name=display_name,
                bio=f"Wrote on {self.site_name} without an account that is still there.",
            )
            with self.write():
                self.save(get_user_model(), [member])
            self.placeholders[key] = member.pk
            self.imported_members.add(member.pk)
            self.report.tallies["members"].created += 1
        return self.placeholders[key]

    # Tags ---------------------------------------------------------------------------------------

    def import_tags(self) -> None:
        tally = self.report.tallies["tags"]
        names: list[str] = []
        for row in self.rows("Tags.xml"):
            try:
                se.check_damage(row)
                se.required_int(row, "Id")
                name = se.required(row, "TagName").strip().lower()
            except se.RowProblem as exc:
                self.problem("Tags.xml", row, str(exc), "tags")
                continue
            if not TAG_RE.match(name):
                self.problem("Tags.xml", row, f"“{name[:50]}” is not a tag Townhall can have "
                                              "(up to 40 letters, digits and - + # .)", "tags")
                continue
            names.append(name)
        for batch in _batches(dict.fromkeys(names), self.batch_size):
            _, created = self.tag_ids(batch)
            tally.created += created
            tally.existing += len(batch) - created

    def tag_ids(self, names: Iterable[str]) -> tuple[dict[str, int], int]:
        """{name: tag id} for these names, creating the missing tags; and how many were created."""
        names = list(dict.fromkeys(names))
        ids = dict(Tag.objects.filter(name__in=names).values_list("name", "pk"))
        missing = [Tag(name=name) for name in names if name not in ids]
        with self.write():
            self.save(Tag, missing)
        ids.update({tag.name: tag.pk for tag in missing})
        return ids, len(missing)

    # Questions and answers ----------------------------------------------------------------------

    def import_questions(self) -> None:
        """First pass over Posts.xml: every post's type, and the questions."""
        tally = self.report.tallies["questions"]
        pending: list[tuple[int, Topic, list[str]]] = []
        for row in self.rows("Posts.xml", " (questions)"):
            try:
                post_id = se.required_int(row, "Id")
                post_type = se.required_int(row, "PostTypeId")
            except se.RowProblem as exc:
                self.problem("Posts.xml", row, str(exc))
                continue
            if post_id in self.post_types:
                self.problem("Posts.xml", row, "a second row with this Id: the first one is imported")
                continue
            self.post_types[post_id] = post_type
            if post_type == se.ANSWER:
                continue
            if post_type != se.QUESTION:
                if post_type in se.OTHER_POST_TYPES:
                    self.report.not_imported[f"posts: {se.OTHER_POST_TYPES[post_type]}"] += 1
                else:
                    self.problem("Posts.xml", row, f"unknown PostTypeId {post_type}")
                continue
            try:
                se.check_damage(row)
                if row.attrs.get("AcceptedAnswerId"):
                    self.accepted[post_id] = (se.required_int(row, "AcceptedAnswerId"), row.id_text)
                if row.attrs.get("ClosedDate"):
                    self.report.not_imported["closed questions: imported as not closed (Townhall has no "
                                             "closing)"] += 1
                if post_id in self.topics:
                    tally.existing += 1
                    continue
                topic, tags = self.question_from(row, post_id)
            except se.RowProblem as exc:
                self.post_types[post_id] = -1  # not imported: its answers are reported as orphans
                self.problem("Posts.xml", row, str(exc), "questions")
                continue
            pending.append((post_id, topic, tags))
            if len(pending) >= self.batch_size:
                self._save_questions(pending)
                pending = []
        self._save_questions(pending)

    def question_from(self, row: se.Row, post_id: int) -> tuple[Topic, list[str]]:
        title = " ".join(se.required(row, "Title").split())
        if len(title) > TITLE_MAX:
            title = title[: TITLE_MAX - 1] + "…"
        created = se.required_date(row, "CreationDate")
        edited = se.date(row, "LastEditDate", optional=True)
        active = se.date(row, "LastActivityDate", optional=True) or created
        views = se.integer(row, "ViewCount", optional=True) or 0
        tags = []
        for name in se.tag_names(row.attrs.get("Tags")):
            if TAG_RE.match(name) and name not in tags:
                tags.append(name)
            else:
                self.problem("Posts.xml", row, f"tag “{name[:50]}” left out: not a tag Townhall can have")
        html = sanitize_html(row.attrs.get("Body") or "")
        topic = Topic(
            space=self.space, kind="question", title=title, body=html_to_markdown(html), body_html=html,
            author_id=self.author_of(row, "OwnerUserId", "OwnerDisplayName"), status="open",
            created_at=created, last_activity_at=max(active, created), edited_at=edited, view_count=max(views, 0),
            imported_from=f"{self.prefix}post:{post_id}",
        )
        return topic, tags[:5]

    def _save_questions(self, pending: list[tuple[int, Topic, list[str]]]) -> None:
        if not pending:
            return
        with self.write():
            tag_ids, _ = self.tag_ids(name for _, _, tags in pending for name in tags)
            self.save(Topic, [topic for _, topic, _ in pending])
            if not self.dry_run:
                # Imported questions count as escalated already: an archive must not flood the queue.
                Question.objects.bulk_create(
                    [Question(topic_id=topic.pk, escalated_unanswered=True, escalated_unsolved=True)
                     for _, topic, _ in pending], batch_size=500)
                Topic.tags.through.objects.bulk_create(
                    [Topic.tags.through(topic_id=topic.pk, tag_id=tag_ids[name])
                     for _, topic, tags in pending for name in tags], batch_size=500)
        for post_id, topic, _ in pending:
            self.topics[post_id] = topic.pk
            self.authors["topic", topic.pk] = topic.author_id
            self.touched_topics.add(topic.pk)
        self.report.tallies["questions"].created += len(pending)

    def import_answers(self) -> None:
        """Second pass over Posts.xml: the answers, now that every question has its topic."""
        tally = self.report.tallies["answers"]
        seen: set[int] = set()
        pending: list[tuple[int, Post]] = []
        for row in self.rows("Posts.xml", " (answers)"):
            try:
                post_id = se.required_int(row, "Id")
                if se.required_int(row, "PostTypeId") != se.ANSWER or post_id in seen:
                    continue
            except se.RowProblem:
                continue  # reported by the first pass
            seen.add(post_id)
            if self.post_types.get(post_id) != se.ANSWER:
                continue  # a second row with this Id, reported by the first pass
            if post_id in self.answers:
                tally.existing += 1
                continue
            try:
                se.check_damage(row)
                parent = se.required_int(row, "ParentId")
                if parent not in self.topics:
                    raise se.RowProblem(f"its question (ParentId {parent}) is not in the dump"
                                        if parent not in self.post_types else
                                        f"its question (ParentId {parent}) was not imported")
                created = se.required_date(row, "CreationDate")
                edited = se.date(row, "LastEditDate", optional=True)
                html = sanitize_html(row.attrs.get("Body") or "")
                post = Post(
                    topic_id=self.topics[parent], author_id=self.author_of(row, "OwnerUserId", "OwnerDisplayName"),
                    body=html_to_markdown(html), body_html=html, created_at=created, edited_at=edited,
                    imported_from=f"{self.prefix}post:{post_id}",
                )
            except se.RowProblem as exc:
                self.problem("Posts.xml", row, str(exc), "answers")
                continue
            pending.append((post_id, post))
            if len(pending) >= self.batch_size:
                self._save_answers(pending)
                pending = []
        self._save_answers(pending)

    def _save_answers(self, pending: list[tuple[int, Post]]) -> None:
        with self.write():
            self.save(Post, [post for _, post in pending])
        for post_id, post in pending:
            self.answers[post_id] = (post.pk, post.topic_id)
            self.authors["post", post.pk] = post.author_id
            self.touched_topics.add(post.topic_id)
        self.report.tallies["answers"].created += len(pending)

    def import_accepted(self) -> None:
        tally = self.report.tallies["accepted answers"]
        wanted: dict[int, tuple[int, int, Any]] = {}  # topic id → (post id, asker, accepted at)
        for question_id, (answer_id, row_text) in self.accepted.items():
            topic_id = self.topics.get(question_id)
            if topic_id is None:
                continue  # the question itself was skipped, and reported
            answer = self.answers.get(answer_id)
            if answer is None or answer[1] != topic_id:
                reason = ("is not in the dump" if answer_id not in self.post_types else
                          "is not an imported answer of this question")
                self.problem("Posts.xml", row_text, f"its accepted answer (AcceptedAnswerId {answer_id}) {reason}",
                             "accepted answers")
                continue
            wanted[topic_id] = (answer[0], self.authors["topic", topic_id], self.accept_dates.get(answer_id))
        current = dict(Question.objects.filter(topic_id__in=wanted).values_list("topic_id", "accepted_post_id"))
        changes = []
        for topic_id, (post_id, asker, accepted_at) in wanted.items():
            if current.get(topic_id) == post_id:
                tally.existing += 1
            elif current.get(topic_id) is None:
                changes.append(Question(topic_id=topic_id, accepted_post_id=post_id, accepted_by_id=asker,
                                        accepted_at=accepted_at))
            else:
                tally.existing += 1  # accepted differently here since: the community's choice stands
        if changes and not self.dry_run:
            with transaction.atomic():
                Question.objects.bulk_update(changes, ["accepted_post", "accepted_by", "accepted_at"], batch_size=500)
                Topic.objects.filter(pk__in=[q.topic_id for q in changes]).update(status="solved")
        self.touched_topics.update(q.topic_id for q in changes)
        tally.created += len(changes)

    # Comments -----------------------------------------------------------------------------------

    def import_comments(self) -> None:
        tally = self.report.tallies["comments"]
        comments = Post.objects.filter(imported_from__startswith=self.prefix + "comment:")
        existing = set(comments.values_list("imported_from", flat=True))
        seen: set[int] = set()
        pending: list[Post] = []
        on_questions = 0
        for row in self.rows("Comments.xml"):
            try:
                se.check_damage(row)
                comment_id = se.required_int(row, "Id")
                post_id = se.required_int(row, "PostId")
            except se.RowProblem as exc:
                self.problem("Comments.xml", row, str(exc), "comments")
                continue
            if comment_id in seen:
                self.problem("Comments.xml", row, "a second row with this Id", "comments")
                continue
            seen.add(comment_id)
            key = f"{self.prefix}comment:{comment_id}"
            if key in existing:
                tally.existing += 1
                continue
            post_type = self.post_types.get(post_id)
            if post_type in se.OTHER_POST_TYPES:
                self.report.not_imported[f"comments on {se.OTHER_POST_TYPES[post_type]}"] += 1
                continue
            try:
                text = se.required(row, "Text").strip()
                if post_id in self.answers:
                    parent_id, topic_id = self.answers[post_id]
                elif post_id in self.topics:
                    parent_id, topic_id = None, self.topics[post_id]
                else:
                    raise se.RowProblem(f"its post (PostId {post_id}) is not in the dump" if post_type is None
                                        else f"its post (PostId {post_id}) was not imported")
                score = max(se.integer(row, "Score", optional=True) or 0, 0)
                created = se.required_date(row, "CreationDate")
                comment = Post(
                    topic_id=topic_id, parent_id=parent_id, is_topic_comment=parent_id is None,
                    author_id=self.author_of(row, "UserId", "UserDisplayName"), body=text,
                    body_html=render_markdown(text), created_at=created,
                    imported_kudos=score, kudos_count=score, imported_from=key,
                )
            except se.RowProblem as exc:
                self.problem("Comments.xml", row, str(exc), "comments")
                continue
            on_questions += parent_id is None
            pending.append(comment)
            if len(pending) >= self.batch_size:
                self._save_comments(pending)
                pending = []
        self._save_comments(pending)
        if on_questions:
            self.report.notes.append(f"{on_questions:,} of the comments created are on questions: they show "
                                     "under the question, apart from its answers.")

    def _save_comments(self, pending: list[Post]) -> None:
        with self.write():
            self.save(Post, pending)
        self.touched_topics.update(post.topic_id for post in pending)
        self.report.tallies["comments"].created += len(pending)

    # Votes --------------------------------------------------------------------------------------

    def import_votes(self) -> None:
        """Up votes: kudos on answers, "me too" on questions; counted when the voter is unknown."""
        seen: set[int] = set()
        kudos_counts: Counter[int] = Counter()  # post id → anonymous up votes
        vote_counts: Counter[int] = Counter()  # topic id → anonymous up votes
        kudos_rows: set[tuple[int, int]] = set()  # (post id, member id)
        vote_rows: set[tuple[int, int]] = set()  # (topic id, member id)
        for row in self.rows("Votes.xml"):
            try:
                se.check_damage(row)
                vote_id = se.required_int(row, "Id")
                post_id = se.required_int(row, "PostId")
                vote_type = se.required_int(row, "VoteTypeId")
                voter = se.integer(row, "UserId", optional=True)
                cast_at = se.date(row, "CreationDate", optional=True)
            except se.RowProblem as exc:
                self.problem("Votes.xml", row, str(exc), "votes")
                continue
            if vote_id in seen:
                self.problem("Votes.xml", row, "a second row with this Id", "votes")
                continue
            seen.add(vote_id)
            if vote_type == se.ACCEPTED_BY_ORIGINATOR:
                if cast_at is not None:
                    self.accept_dates[post_id] = cast_at
                self.report.not_imported["acceptance votes (the accepted answer comes from the question's "
                                         "AcceptedAnswerId)"] += 1
                continue
            if vote_type != se.UP_MOD:
                self.report.not_imported[f"votes: {se.OTHER_VOTE_TYPES.get(vote_type, f'type {vote_type}')}"] += 1
                continue
            if post_id in self.answers:
                target, kind = self.answers[post_id][0], "post"
            elif post_id in self.topics:
                target, kind = self.topics[post_id], "topic"
            else:
                post_type = self.post_types.get(post_id)
                if post_type in se.OTHER_POST_TYPES:
                    self.report.not_imported[f"up votes on {se.OTHER_POST_TYPES[post_type]}"] += 1
                else:
                    self.problem("Votes.xml", row, f"its post (PostId {post_id}) is not in the dump"
                                 if post_type is None else f"its post (PostId {post_id}) was not imported", "votes")
                continue
            member = self.members.get(voter) if voter is not None else None
            if member is not None and member != self.authors[kind, target]:
                (kudos_rows if kind == "post" else vote_rows).add((target, member))
            elif kind == "post":
                kudos_counts[target] += 1
            else:
                vote_counts[target] += 1
        self._save_vote_counts(Post, "imported_kudos", kudos_counts)
        self._save_vote_counts(Topic, "imported_votes", vote_counts)
        self._save_vote_rows(Kudos, "post_id", kudos_rows)
        self._save_vote_rows(TopicVote, "topic_id", vote_rows)

    def _save_vote_counts(self, model: Any, field_name: str, wanted: Counter[int]) -> None:
        """Set the counts of unknown voters' votes (an import sets them to the dump's, so twice is once)."""
        tally = self.report.tallies["votes"]
        changes = []
        for batch in _batches(wanted, 2000):
            current = dict(model.objects.filter(pk__in=batch).values_list("pk", field_name))
            for pk in batch:
                have, want = current.get(pk, 0), wanted[pk]
                tally.existing += min(have, want)
                if have != want:
                    tally.created += max(want - have, 0)
                    changes.append(model(pk=pk, **{field_name: want}))
        if changes and not self.dry_run:
            with transaction.atomic():
                model.objects.bulk_update(changes, [field_name], batch_size=500)
        if model is Topic:
            self.touched_topics.update(obj.pk for obj in changes)

    def _save_vote_rows(self, model: Any, target: str, pairs: set[tuple[int, int]]) -> None:
        """Votes that name their voter (not in public dumps): one row each, as if given here."""
        tally = self.report.tallies["votes"]
        for batch in _batches(sorted(pairs), 2000):
            existing = set(model.objects.filter(**{f"{target}__in": {p for p, _ in batch}})
                           .values_list(target, "user_id"))
            new = [model(**{target: p, "user_id": u}) for p, u in batch if (p, u) not in existing]
            tally.existing += len(batch) - len(new)
            tally.created += len(new)
            if not self.dry_run:
                with transaction.atomic():
                    model.objects.bulk_create(new, batch_size=500)

    # Badges -------------------------------------------------------------------------------------

    def import_badges(self) -> None:
        existing_keys = None
        seen: set[int] = set()
        pending: list[dict[str, Any]] = []
        for row in self.rows("Badges.xml"):
            try:
                se.check_damage(row)
                badge_id = se.required_int(row, "Id")
                user_id = se.required_int(row, "UserId")
                name = " ".join(se.required(row, "Name").split())
                awarded_at = se.required_date(row, "Date")
                level_number = se.integer(row, "Class", optional=True)
                if level_number is not None and level_number not in se.BADGE_LEVELS:
                    raise se.RowProblem(f"Class {level_number} is not 1 (gold), 2 (silver) or 3 (bronze)")
                if user_id not in self.members:
                    raise se.RowProblem(f"its member (UserId {user_id}) is not in Users.xml")
            except se.RowProblem as exc:
                self.problem("Badges.xml", row, str(exc), "badges")
                continue
            if badge_id in seen:
                self.problem("Badges.xml", row, "a second row with this Id", "badges")
                continue
            seen.add(badge_id)
            # Dumps before 2014 have no Class: such badges count as bronze.
            level = se.BADGE_LEVELS.get(level_number or 3, "bronze")
            if (row.attrs.get("TagBased") or "").lower() == "true":
                name = f"{name} ({level})"  # tag badges share the tag's name at every level
            pending.append({"user_id": self.members[user_id], "name": name[:80], "level": level,
                            "awarded_at": awarded_at, "imported_from": f"{self.prefix}badge:{badge_id}"})
            if len(pending) >= self.batch_size:
                existing_keys = self._save_badges(pending, existing_keys)
                pending = []
        self._save_badges(pending, existing_keys)

    def _save_badges(self, pending: list[dict[str, Any]], existing_keys: set[str] | None) -> set[str] | None:
        tally = self.report.tallies["badges"]
        if self.dry_run:
            from townhall.reputation.models import BadgeAward

            if existing_keys is None:
                existing_keys = set(BadgeAward.objects.filter(imported_from__startswith=self.prefix)
                                    .values_list("imported_from", flat=True))
            created = sum(1 for award in pending if award["imported_from"] not in existing_keys)
        else:
            created = import_badge_awards(pending)
        tally.created += created
        tally.existing += len(pending) - created
        return existing_keys

    # Afterwards ---------------------------------------------------------------------------------

    def finish(self) -> None:
        """Counters (members' included), reputation and the search index, from what is now there."""
        from townhall.search.models import SearchDocument

        self.out("  recounting counters, members' contributions and reputation…")
        with transaction.atomic():
            fixed = sum(reconcile_counters().values())  # topics, posts, spaces, tags and members' counts
            fixed += recompute_reputation(self.imported_members)
        # The topics written now, and any an interrupted run left out of the index.
        site_topics = set(self.topics.values())
        indexed: set[int] = set()
        for batch in _batches(sorted(site_topics), 5000):
            indexed.update(SearchDocument.objects.filter(doc_type="topic", topic_id__in=batch)
                           .values_list("topic_id", flat=True))
        to_index = self.touched_topics | (site_topics - indexed)
        if to_index:
            self.out(f"  indexing {len(to_index):,} topics for search…")
            fixed += reindex_topics(sorted(to_index))
        self.report.fixed = fixed


class _Nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def import_stackexchange(directory: Path | str, *, space_slug: str | None = None, site_name: str | None = None,
                         dry_run: bool = False, out: Callable[[str], None] | None = None,
                         batch_size: int = BATCH) -> ImportReport:
    """Import a Stack Exchange data dump from `directory` into a space (created if needed); see above."""
    return StackExchangeImport(Path(directory), space_slug=space_slug, site_name=site_name, dry_run=dry_run,
                               out=out, batch_size=batch_size).run()


def problem_summary(problems: list[Problem], per_reason: int = 5) -> list[str]:
    """Problems grouped by file and reason: how many, and the first few rows' ids."""
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in problems:
        # "its post (PostId 12) is not in the dump" goes with the others like it.
        reason = _REFERENCE.sub(r"(\1 …)", p.reason)
        groups[p.file, reason].append(p.row)
    lines = []
    for (file, reason), rows in groups.items():
        shown = ", ".join(rows[:per_reason])
        if len(rows) > per_reason:
            shown += f" and {len(rows) - per_reason:,} more"
        lines.append(f"{file}: {len(rows):,} × {reason} ({shown})")
    return lines

"""Request and response shapes of API v1. These classes are the OpenAPI schema clients read.

Request bodies are strict (a number is not a string, unknown fields are refused) so a client's
mistake is reported, not guessed at. Responses are built by the `present_*` functions in
`townhall.api.present` and validated against these classes on the way out.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

TopicKind = Literal["question", "idea", "discussion", "blog", "media", "review"]
SpaceKind = Literal["forum", "ideas", "blog", "gallery", "group", "kb", "reviews"]
Visibility = Literal["public", "members", "private"]
Role = Literal["agent", "moderator", "product_manager", "admin"]
TopicSort = Literal["newest", "active", "unanswered", "unsolved", "solved", "top"]
QueueState = Literal["open", "queued", "claimed", "resolved"]


def _no_nul(value: str) -> str:
    # PostgreSQL cannot store NUL characters; refuse them as bad input instead of failing later.
    if "\x00" in value:
        raise ValueError("Must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
# An id the database can hold (64-bit): bigger numbers are bad input, not a database error.
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class Input(BaseModel):
    """A JSON request body: exact types, no unknown fields."""

    model_config = ConfigDict(extra="forbid", strict=True)


class PatchInput(Input):
    """A partial update: fields left out stay as they are; null is not a value for them."""

    @field_validator("*", mode="after")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Only runs for fields that were sent: defaults are not validated.
        if value is None:
            raise ValueError("Leave this field out to keep it as it is; it cannot be null")
        return value


# Errors -------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, as a sentence for people.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="Per field (body field or query parameter), the reasons."
    )


# Lists --------------------------------------------------------------------------------------


class PageQuery(Schema):
    cursor: Text | None = Field(None, description="The `next` value of the previous page.")
    limit: int = Field(30, ge=1, le=100, description="How many items per page (1–100).")


# Auth and members ---------------------------------------------------------------------------


class TokenIn(Input):
    login: Text = Field(description="Username or email address.", max_length=254)
    password: Text = Field(max_length=4096)
    name: Text | None = Field(None, description="A name for the token, shown on the settings page.",
                              max_length=80)


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`. Shown only once.")
    name: str


class BadgeOut(Schema):
    name: str
    level: Literal["gold", "silver", "bronze"]
    awarded_at: datetime


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    reputation: int
    rank: str
    trust_level: int
    badges: list[BadgeOut] = Field(description="Badges earned, newest first (a badge earned twice is listed twice).")
    avatar_url: str | None
    bio: str
    region: str
    languages: list[str]
    products: list[str]
    question_count: int
    answer_count: int
    solution_count: int
    roles: list[str] = Field(description="member, and any of agent, moderator, product_manager, admin.")
    joined_at: datetime
    url: str


class MeOut(UserOut):
    email: str
    email_notifications: bool


class UserIn(Input):
    username: Text
    email: Text
    password: Text | None = Field(None, description="Omit to create a member who signs in by other means.")
    display_name: Text | None = None
    roles: list[Role] = Field(default_factory=list)


# Spaces -------------------------------------------------------------------------------------


class SpaceOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    kind: str
    visibility: str
    parent: str | None = Field(description="The parent space's slug, or null at the top.")
    topic_count: int
    post_count: int
    url: str


class SpaceSettingsOut(SpaceOut):
    """What a space's managers see: the escalation settings too."""

    support_email: str
    unanswered_hours: int
    unsolved_hours: int
    position: int
    hold_first_posts: bool


class SpacePage(Schema):
    results: list[SpaceOut]
    next: str | None


class SpaceIn(Input):
    slug: Text = Field(description="Lowercase letters, digits and hyphens (up to 60).")
    name: Text
    kind: SpaceKind = "forum"
    visibility: Visibility = "public"
    parent: Text | None = Field(None, description="The parent space's slug.")
    description: Text | None = None
    support_email: Text | None = Field(None, description="Escalated questions are emailed here.")
    unanswered_hours: int | None = Field(None, description="Escalate a question with no answer after this long.")
    unsolved_hours: int | None = Field(None, description="Escalate a question with no solution after this long.")
    position: int | None = Field(None, ge=0, le=1_000_000)
    hold_first_posts: bool | None = Field(None, description="New members' first posts wait for a moderator.")


class SpacePatch(PatchInput):
    name: Text | None = None
    kind: SpaceKind | None = None
    visibility: Visibility | None = None
    parent: Text | None = Field(
        None, description='Move the space under this space (by slug); "" moves it to the top level.'
    )
    description: Text | None = None
    support_email: Text | None = None
    unanswered_hours: int | None = None
    unsolved_hours: int | None = None
    position: int | None = Field(None, ge=0, le=1_000_000)
    hold_first_posts: bool | None = None


class MembershipIn(Input):
    username: Text
    role: Literal["member", "manager"] = "member"


class MembershipOut(Schema):
    space: str
    username: str
    role: str
    created_at: datetime


# Topics and posts ---------------------------------------------------------------------------


class TopicOut(Schema):
    id: int
    space: str = Field(description="The space's slug.")
    kind: str
    title: str
    body: str = Field(description="Markdown, as written.")
    body_html: str = Field(description="The body rendered and sanitised: safe to display as is.")
    author: str = Field(description="The author's username.")
    created_at: datetime
    last_activity_at: datetime
    edited_at: datetime | None
    reply_count: int
    answer_count: int
    vote_count: int = Field(description="Votes; on a question, members who have it too.")
    view_count: int
    score: float
    status: str = Field(description="Questions: open or solved.")
    accepted_post: int | None = Field(description="The accepted answer's id (questions), or null.")
    tags: list[str]
    is_deleted: bool = Field(description="Only moderators (and the author, once) see deleted topics.")
    awaiting_review: bool = Field(description="Held for review or hidden by flags: only its author and the "
                                              "moderators see it until a moderator approves it.")
    is_locked: bool = Field(description="Locked by the moderators: replies from moderators only.")
    duplicate_of: int | None = Field(description="The original this topic repeats: answer there.")
    url: str


class TopicPage(Schema):
    results: list[TopicOut]
    next: str | None


class TopicsQuery(PageQuery):
    space: Text | None = Field(None, description="A space's slug or id.")
    kind: TopicKind | None = None
    sort: TopicSort = "newest"
    status: Text | None = Field(None, description="Only topics with this status (e.g. open, solved).")
    tag: Text | None = None


class TopicIn(Input):
    space: Text | int = Field(description="The space's slug or id.")
    kind: TopicKind
    title: Text
    body: Text = Field(description="Markdown.")
    tags: list[Text] | None = Field(None, description="Up to 5 tags.")


class TopicPatch(PatchInput):
    title: Text | None = None
    body: Text | None = None
    tags: list[Text] | None = Field(None, description="Replaces the topic's tags.")


class PostOut(Schema):
    id: int
    topic: int
    parent: int | None = Field(description="The answer this comment is under, or null for an answer "
                                           "and for a comment on the topic itself.")
    is_topic_comment: bool = Field(description="A comment on the topic itself, not an answer (comments on "
                                               "questions imported from Stack Exchange).")
    author: str
    body: str
    body_html: str
    created_at: datetime
    edited_at: datetime | None
    kudos_count: int
    official: bool = Field(description="Written by the company's support team.")
    accepted: bool = Field(description="The accepted solution of its question.")
    is_deleted: bool
    awaiting_review: bool = Field(description="Held for review or hidden by flags: only its author and the "
                                              "moderators see it until a moderator approves it.")
    url: str


class PostPage(Schema):
    results: list[PostOut]
    next: str | None


class PostsQuery(PageQuery):
    limit: int = Field(50, ge=1, le=100, description="How many items per page (1–100).")


class PostIn(Input):
    body: Text = Field(description="Markdown.")
    parent: Id | None = Field(None, description="Reply under this answer (a comment).")


class PostPatch(Input):
    body: Text


class AcceptIn(Input):
    post: Id | None = Field(description="The answer to accept; null withdraws the accepted solution.")


class VoteIn(Input):
    value: int = Field(ge=0, le=1, description="1 to vote, 0 to withdraw.")


class VoteOut(Schema):
    vote_count: int
    your_vote: int


class KudosOut(Schema):
    kudos_count: int


# Search -------------------------------------------------------------------------------------


class SearchQuery(PageQuery):
    limit: int = Field(20, ge=1, le=50, description="How many results per page (1–50).")
    q: Text = Field("", description="Words to look for (up to 200 characters).")
    kind: TopicKind | None = None
    space: Text | None = Field(None, description="A space's slug or id.")
    solved: bool | None = Field(None, description="Only solved (true) or unsolved (false) questions.")
    tag: Text | None = None


class SearchHitOut(Schema):
    type: str = Field(description="topic or post.")
    id: int
    topic: int = Field(description="The topic the hit is (in).")
    title: str
    snippet: str = Field(description="Plain text around the match.")
    url: str
    space: str
    space_name: str
    solved: bool
    created_at: datetime


class SearchPage(Schema):
    results: list[SearchHitOut]
    next: str | None


# Notifications ------------------------------------------------------------------------------


class NotificationsQuery(PageQuery):
    unread: bool = Field(False, description="Only unread notifications.")


class NotificationOut(Schema):
    id: int
    verb: str = Field(description="answer, reply, accepted, mention, subscription, escalated, official, "
                                   "flag_upheld, flag_dismissed.")
    text: str = Field(description="The verb as words, e.g. “answered your question”.")
    topic: int | None
    topic_title: str | None
    post: int | None
    actor: str | None = Field(description="Who did it (username), or null for the system.")
    created_at: datetime
    read: bool
    url: str | None


class NotificationPage(Schema):
    results: list[NotificationOut]
    next: str | None


class MarkReadIn(Input):
    ids: list[Id] | None = Field(None, max_length=500, description="Omit to mark everything read.")


class MarkReadOut(Schema):
    marked: int


# Support queue ------------------------------------------------------------------------------


class QueueQuery(PageQuery):
    state: QueueState = "open"


class QueueItemOut(Schema):
    topic: int
    title: str
    space: str
    asker: str
    url: str
    created_at: datetime
    answer_count: int
    status: str
    queue_state: str = Field(description="queued, claimed, resolved, community (answered by members) or empty.")
    escalation_reason: str = Field(description="unanswered or unsolved.")
    escalated_at: datetime | None
    claimed_by: str | None
    claimed_at: datetime | None
    resolved_at: datetime | None


class QueuePage(Schema):
    results: list[QueueItemOut]
    next: str | None


# Moderation ----------------------------------------------------------------------------------


class AuditQuery(PageQuery):
    actor: Text | None = Field(None, description="Only this moderator's or admin's actions (username).")
    action: Text | None = Field(None, description="edit, delete, restore, accept, unaccept, create_space, "
                                                  "update_space, add_member, remove_member, create_member.")
    target: Text | None = Field(None, description="topic, post, space or member.")
    target_id: int | None = Field(None, description="Only entries about this target.")
    since: Text | None = Field(None, description="From this day (YYYY-MM-DD).")
    until: Text | None = Field(None, description="To this day (YYYY-MM-DD), included.")
    q: Text | None = Field(None, description="Words in the target's title or name, or in the reason.")


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor: str | None = Field(description="Who acted (username), or null for the system.")
    action: str
    target_type: str
    target_id: int | None
    target: str = Field(description="The target's title or name when it was acted on.")
    space: int | None
    reason: str
    before: dict[str, Any]
    after: dict[str, Any]


class AuditPage(Schema):
    results: list[AuditEntryOut]
    next: str | None


class FlagIn(Input):
    topic: Id | None = None
    post: Id | None = None
    member: Text | None = Field(None, max_length=150, description="A member's username: flag their profile.")
    reason: Literal["spam", "off_topic", "abusive", "duplicate", "other"]
    note: Text = Field("", max_length=1000, description="What is wrong; needed with `other`.")


class FlagOut(Schema):
    id: int
    target: str = Field(description="`topic:ID`, `post:ID` or `member:ID`.")
    reason: str
    note: str
    status: str = Field(description="open, upheld or dismissed.")
    outcome: str
    created_at: datetime
    resolved_at: datetime | None


class QueueFlagOut(Schema):
    reason: str
    note: str
    flagger: str | None = Field(description="None: held by the system, not flagged by a member.")
    weight: int
    created_at: datetime


class ReviewItemOut(Schema):
    target: str
    kind: str
    id: int
    title: str = Field(description="The topic's title, or the member's name.")
    author: str
    weight: int
    hidden: bool
    upheld_before: int = Field(description="Earlier flags upheld against the same author.")
    held: bool = Field(description="Held for review by the system (a new member's first post, a suspicious account).")
    space: str | None = Field(description="The space's slug (none for a profile).")
    sanctions: list[str] = Field(description="The author's earlier measures, newest first: kind and reason.")
    flags: list[QueueFlagOut]


class ReviewQueueOut(Schema):
    results: list[ReviewItemOut]


class ModerationActionIn(Input):
    action: Literal["approve", "hide", "delete", "restore", "edit", "reply", "lock", "unlock", "move", "merge",
                    "duplicate", "warn", "suspend", "silence", "ban", "spam"]
    topic: Id | None = None
    post: Id | None = None
    user: Text | None = Field(None, max_length=150)
    reason: Text = Field(max_length=500, description="The rule concerned: recorded, told to flaggers, and shown "
                                                     "with a lock, an edit or a move.")
    into: Id | Text | None = Field(None, description="`move`: the space (slug or id); `merge` and `duplicate`: the "
                                                     "other topic's id.")
    title: Text | None = Field(None, max_length=200, description="`edit` of a topic: the new title.")
    body: Text | None = Field(None, max_length=40000, description="`edit`: the new text.")
    message: Text | None = Field(None, max_length=5000, description="`reply`: the private message to the author.")
    days: int | None = Field(None, ge=1, le=3650, description="How long a silence, suspension or ban lasts.")


class ModerationActionOut(Schema):
    action: str
    target: str
    outcome: str
    flags_closed: int


class SanctionOut(Schema):
    id: int
    member: str
    kind: str = Field(description="warning, silence, suspension or ban.")
    reason: str
    ends_at: datetime | None
    lifted: bool
    appealed: bool
    appeal_decision: str


class AppealIn(Input):
    appeal: Text = Field(max_length=2000, description="Why the measure should be lifted.")


class AppealDecisionIn(Input):
    decision: Literal["upheld", "lifted"]
    note: Text = Field("", max_length=2000)


class GuidelinesVersionOut(Schema):
    version: int
    reason: str
    at: datetime
    by: str | None


class GuidelinesOut(Schema):
    space: str | None = Field(description="The space whose own guidelines these are, or null for the site's.")
    version: int | None
    body: str
    body_html: str
    versions: list[GuidelinesVersionOut]


class GuidelinesQuery(Schema):
    space: Text | None = Field(None, description="A space's slug: its own guidelines, else the site's.")

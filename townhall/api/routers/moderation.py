"""Moderation: flags, the moderators' queue and their actions, and the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from ninja import Query, Router, Status

from townhall.api.auth import ANYONE, MEMBER
from townhall.api.routers.topics import WRITE_ERRORS
from townhall.api.schemas import (
    AppealDecisionIn,
    AppealIn,
    AuditPage,
    AuditQuery,
    ErrorOut,
    FlagIn,
    FlagOut,
    GuidelinesOut,
    GuidelinesQuery,
    ModerationActionIn,
    ModerationActionOut,
    ReviewQueueOut,
    SanctionOut,
)
from townhall.content import services as content
from townhall.core.errors import InvalidInput, NotAllowed, NotFound
from townhall.core.pagination import keyset_page
from townhall.moderation import services

router = Router(tags=["moderation"])


@router.get("/moderation/audit", auth=MEMBER,
            response={200: AuditPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut}, summary="The audit log")
def audit_log(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    """Every moderator and admin action, newest first (moderators and admins only)."""
    entries = services.audit_log(request.user, actor=query.actor, action=query.action, target_type=query.target,
                                 target_id=query.target_id, since=query.since, until=query.until, q=query.q)
    page = keyset_page(entries, ["-created_at", "-id"], query.cursor, query.limit)
    return {"results": [{
        "id": e.pk, "at": e.created_at, "actor": e.actor_name or None, "action": e.action,
        "target_type": e.target_type, "target_id": e.target_id, "target": e.target_label, "space": e.space_id,
        "reason": e.reason, "before": e.before, "after": e.after,
    } for e in page.items], "next": page.next_cursor}


def _targets(user: Any, topic_id: int | None, post_id: int | None, username: str | None) -> dict[str, Any]:
    """The one thing named, as the caller may see it (404 otherwise)."""
    targets: dict[str, Any] = {}
    if topic_id is not None:
        targets["topic"] = content.get_topic_for(user, topic_id)
    if post_id is not None:
        targets["post"] = content.get_post_for(user, post_id)
    if username is not None:
        member = get_user_model().objects.filter(username=username, is_active=True).first()
        if member is None:
            raise NotFound("No such member.", field="member")
        targets["member"] = member
    return targets


@router.post("/flags", auth=MEMBER, response={201: FlagOut, **WRITE_ERRORS}, summary="Flag a topic, post or profile")
def create_flag(request: HttpRequest, payload: FlagIn) -> Status[dict[str, Any]]:
    """Name exactly one of `topic`, `post` or `member`. Only you and the moderators see your flag; enough
    flags hide the item until a moderator reviews it. A second open flag on the same thing is **409**,
    your own contribution **422**."""
    targets = _targets(request.user, payload.topic, payload.post, payload.member)
    created = services.flag(request.user, reason=payload.reason, note=payload.note, **targets)
    return Status(201, services.flag_present(created))


@router.get("/moderation/queue", auth=MEMBER, response={200: ReviewQueueOut, 401: ErrorOut, 403: ErrorOut},
            summary="Items awaiting moderators")
def moderation_queue(request: HttpRequest) -> dict[str, Any]:
    """Flagged items the moderator may see, the oldest flag first (moderators only)."""
    results = []
    for item in services.review_queue(request.user):
        target = item[item["kind"]]
        results.append({
            "target": item["key"], "kind": item["kind"], "id": item["id"],
            "title": target.name if item["kind"] == "member" else (target.title if item["kind"] == "topic"
                                                                   else target.topic.title),
            "author": target.username if item["kind"] == "member" else target.author.username,
            "weight": item["weight"], "hidden": item["hidden"], "upheld_before": item["upheld_before"],
            "held": item["held"], "space": item["space"].slug if item["space"] else None,
            "sanctions": [f"{s.kind}: {s.reason}" for s in item["sanctions"]],
            "flags": [{"reason": f.reason, "note": f.note, "flagger": f.flagger.username if f.flagger else None,
                       "weight": f.weight,
                       "created_at": f.created_at} for f in item["flags"]],
        })
    return {"results": results}


@router.post("/moderation/actions", auth=MEMBER, response={200: ModerationActionOut, **WRITE_ERRORS},
             summary="A moderator's decision")
def moderation_action(request: HttpRequest, payload: ModerationActionIn) -> dict[str, Any]:
    """`approve`, `hide`, `delete`, `restore`, `edit` (with `body`, and `title` for a topic: a public "edited
    by a moderator" note gives the `reason`) a topic or post, or `reply` to its author (`message`, private);
    `lock`, `unlock`, `move` (`into` a space), `merge` (`into` another topic: posts, votes and followers
    follow) and `duplicate` (of the topic `into`) a topic; `warn`, `silence`, `suspend` (both with `days`),
    `ban` and `spam` (remove everything, ban) a `user`. Every action needs a `reason`, closes the open flags
    on the item and tells the flaggers; two moderators acting on the same item: the second gets **409**."""
    if not services.can_read_audit(request.user):
        raise NotAllowed("Only moderators act on content.")
    targets = _targets(request.user, payload.topic, payload.post, payload.user)
    if payload.action == "spam":
        if set(targets) != {"member"}:
            raise InvalidInput("The spam action names a `user`.", field="user")
        sweep = services.remove_as_spam(request.user, targets["member"], reason=payload.reason)
        return {"action": "spam", "target": f"member:{sweep.member_id}", "outcome": "removed and banned",
                "flags_closed": 0}
    if payload.action in SANCTIONS:
        if set(targets) != {"member"}:
            raise InvalidInput("A warning, silence, suspension or ban names a `user`.", field="user")
        measure = services.sanction(request.user, targets["member"], SANCTIONS[payload.action],
                                    reason=payload.reason, days=payload.days)
        return {"action": payload.action, "target": f"member:{measure.member_id}", "outcome": measure.kind,
                "flags_closed": 0}
    return services.review(request.user, payload.action, reason=payload.reason, into=payload.into,
                           title=payload.title, body=payload.body, message=payload.message, **targets)


SANCTIONS = {"warn": "warning", "silence": "silence", "suspend": "suspension", "ban": "ban"}


def _sanction_data(item: Any) -> dict[str, Any]:
    return {"id": item.pk, "member": item.member.username, "kind": item.kind, "reason": item.reason,
            "ends_at": item.ends_at, "lifted": item.lifted_at is not None, "appealed": item.appealed_at is not None,
            "appeal_decision": item.appeal_decision}


@router.post("/sanctions/{int:sanction_id}/appeal", auth=MEMBER, response={200: SanctionOut, **WRITE_ERRORS},
             summary="Appeal a measure on your account")
def appeal_sanction(request: HttpRequest, sanction_id: int, payload: AppealIn) -> dict[str, Any]:
    """Once per measure (**409** after); a different moderator than its issuer decides."""
    return _sanction_data(services.appeal(request.user, sanction_id, payload.appeal))


@router.post("/moderation/appeals/{int:sanction_id}", auth=MEMBER, response={200: SanctionOut, **WRITE_ERRORS},
             summary="Decide an appeal")
def decide_appeal(request: HttpRequest, sanction_id: int, payload: AppealDecisionIn) -> dict[str, Any]:
    """Uphold or lift (moderators other than the measure's issuer: **403** for them)."""
    return _sanction_data(services.decide_appeal(request.user, sanction_id, payload.decision, payload.note))


@router.get("/guidelines", auth=ANYONE, response={200: GuidelinesOut, 404: ErrorOut}, summary="Community guidelines")
def guidelines(request: HttpRequest, query: Query[GuidelinesQuery]) -> dict[str, Any]:
    """The current guidelines (a space's own, else the site's) and every version's reason."""
    from townhall.spaces.services import get_space_for

    space = get_space_for(request.user, query.space) if query.space else None
    current = services.current_guidelines(space)
    owner = current.space if current is not None else None
    return {
        "space": owner.slug if owner is not None else None,
        "version": current.version if current else None,
        "body": current.body if current else "", "body_html": current.body_html if current else "",
        "versions": [{"version": v.version, "reason": v.reason, "at": v.created_at,
                      "by": v.author.username if v.author else None}
                     for v in services.guidelines_history(owner)[:100]] if current else [],
    }

"""Space pages: a space's topics with tabs and tags, following it, and the space admin pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from townhall.content.views import topic_listing
from townhall.core import access
from townhall.core.errors import ServiceError
from townhall.core.pages import HtmxHttpRequest, add_service_errors, fetch_visible, raise_for_access
from townhall.notifications import services as notifications
from townhall.spaces import services
from townhall.spaces.forms import MemberForm, RemoveMemberForm, SpaceForm
from townhall.spaces.models import Membership, Space


def _space_for(request: HttpRequest, slug: str) -> Space:
    return fetch_visible(services.get_space_for, request.user, slug)


def space_page(request: HttpRequest, slug: str) -> HttpResponse:
    space = _space_for(request, slug)
    children = list(access.visible_spaces(request.user).filter(parent=space).order_by("position", "name"))
    listing = topic_listing(request, space=space, ask_url=reverse("ask") + f"?space={space.slug}",
                            place=space.name, show_space=bool(children))
    if isinstance(listing, HttpResponse):
        return listing
    parent = space.parent
    return render(request, "spaces/space.html", {
        **listing,
        "space": space,
        "parent": parent if parent is not None and access.can_view_space(request.user, parent) else None,
        "children": children,
        "following": notifications.is_following_space(request.user, space),
        "can_manage": access.can_manage_space(request.user, space),
    })


@require_POST
@login_required
def follow_space(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    space = _space_for(request, slug)
    following = request.POST.get("value", "1") != "0"
    if following:
        notifications.subscribe(request.user, space=space)
    else:
        notifications.unsubscribe(request.user, space=space)
    if request.htmx:
        return render(request, "spaces/_follow.html", {"space": space, "following": following})
    messages.success(request, f"You follow {space.name}." if following else f"You no longer follow {space.name}.")
    return redirect(space)


# Space admin ---------------------------------------------------------------------------------


def _managed_spaces(user: Any) -> list[Space]:
    qs = Space.objects.select_related("parent").order_by("parent__position", "parent__name", "position", "name")
    if access.is_admin(user):
        return list(qs)
    return list(qs.filter(memberships__user=user, memberships__role="manager"))


@login_required
def space_admin(request: HttpRequest) -> HttpResponse:
    spaces = _managed_spaces(request.user)
    if not access.is_admin(request.user) and not spaces:
        raise PermissionDenied("Only admins and space managers manage spaces.")
    return render(request, "spaces/admin_list.html", {"spaces": spaces, "can_create": access.is_admin(request.user)})


def _parents_for(user: Any) -> list[Space]:
    return list(access.visible_spaces(user).select_related("parent").order_by("position", "name"))


@login_required
def space_create(request: HttpRequest) -> HttpResponse:
    if not access.is_admin(request.user):
        raise PermissionDenied("Only admins may create spaces.")
    parents = _parents_for(request.user)
    initial = {"parent": request.GET.get("parent", "")}
    form = SpaceForm(request.POST or None, parents=parents, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            space = services.create_space(request.user, **form.service_values())
        except ServiceError as exc:
            raise_for_access(exc)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Space “{space.name}” created.")
            return redirect(space)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "spaces/admin_form.html", {"form": form, "space": None}, status=status)


def _managed_space(request: HttpRequest, slug: str) -> Space:
    space = Space.objects.select_related("parent").filter(slug=slug).first()
    if space is None or not access.can_view_space(request.user, space):
        raise Http404("No such space.")
    if not access.can_manage_space(request.user, space):
        raise PermissionDenied("Only admins and this space's managers may change it.")
    return space


@login_required
def space_edit(request: HttpRequest, slug: str) -> HttpResponse:
    space = _managed_space(request, slug)
    initial = {
        "slug": space.slug, "name": space.name, "description": space.description, "kind": space.kind,
        "visibility": space.visibility, "parent": str(space.parent_id or ""), "position": space.position,
        "support_email": space.support_email, "unanswered_hours": space.unanswered_hours,
        "unsolved_hours": space.unsolved_hours, "hold_first_posts": space.hold_first_posts,
    }
    parents = _parents_for(request.user)
    if space.parent is not None and all(p.pk != space.parent_id for p in parents):
        parents.append(space.parent)
    form = SpaceForm(request.POST or None, parents=parents, editing=space, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.service_values()
        values.pop("slug", None)
        try:
            services.update_space(request.user, space, **values)
        except ServiceError as exc:
            raise_for_access(exc)
            add_service_errors(form, exc)
            space.refresh_from_db()
        else:
            messages.success(request, f"Space “{space.name}” saved.")
            return redirect("space_edit", slug=space.slug)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "spaces/admin_form.html", {"form": form, "space": space}, status=status)


@login_required
def space_members(request: HttpRequest, slug: str) -> HttpResponse:
    space = _managed_space(request, slug)
    form = MemberForm(request.POST or None)
    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                remove = RemoveMemberForm(request.POST)
                if remove.is_valid():
                    username = remove.cleaned_data["username"]
                    if services.remove_member(request.user, space, username):
                        messages.success(request, f"{username} is no longer a member of {space.name}.")
                return redirect(reverse("space_members", args=[space.slug]))
            if form.is_valid():
                username = form.cleaned_data["username"]
                services.add_member(request.user, space, username, form.cleaned_data["role"])
                messages.success(request, f"{username} is a {form.cleaned_data['role']} of {space.name}.")
                return redirect(reverse("space_members", args=[space.slug]))
        except ServiceError as exc:
            raise_for_access(exc)
            add_service_errors(form, exc)
        status = 400
    memberships = Membership.objects.filter(space=space).select_related("user").order_by("user__username")
    return render(request, "spaces/admin_members.html",
                  {"space": space, "form": form, "memberships": memberships}, status=status)

"""Members' pages: the public profile, and the member's own settings (profile, API tokens)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from townhall.accounts import selectors, services
from townhall.accounts.forms import ProfileForm, TokenForm, add_service_error
from townhall.core.errors import ServiceError
from townhall.core.pages import member_of
from townhall.reputation.services import badge_summary


def initials(name: str) -> str:
    """Up to two letters standing in for a missing avatar."""
    words = [w for w in name.replace("_", " ").replace(".", " ").split() if w]
    return "".join(w[0] for w in words[:2]).upper() or "?"


def split_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@require_safe
def profile(request: HttpRequest, username: str) -> HttpResponse:
    if "\x00" in username:  # PostgreSQL refuses NUL in text: no such member
        raise Http404("No such member.")
    member = get_object_or_404(get_user_model(), username=username, is_active=True)
    context = {
        "member": member,
        "initials": initials(member.name),
        "languages": split_list(member.languages),
        "products": split_list(member.products),
        "badges": badge_summary(member),
        "questions": selectors.recent_questions(request.user, member),
        "answers": selectors.recent_answers(request.user, member),
        "is_self": request.user.is_authenticated and request.user.pk == member.pk,
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def settings_profile(request: HttpRequest) -> HttpResponse:
    user = member_of(request)
    if request.method == "POST":
        form = ProfileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.update_profile(user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("settings_profile")
        # Whatever was refused, the page keeps what the member typed; the stored avatar is unchanged.
        user.refresh_from_db(fields=["avatar"])
    else:
        form = ProfileForm(initial={
            "display_name": user.display_name, "bio": user.bio, "region": user.region,
            "languages": user.languages, "products": user.products,
            "email_notifications": user.email_notifications,
        })
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/settings_profile.html",
                  {"form": form, "initials": initials(user.name), "section": "profile"}, status=status)


def _tokens_page(request: HttpRequest, form: TokenForm, *, new_token: str = "", status: int = 200) -> HttpResponse:
    tokens = list(member_of(request).api_tokens.order_by("-created_at", "-id"))
    return render(request, "accounts/settings_tokens.html",
                  {"form": form, "tokens": tokens, "new_token": new_token, "section": "tokens"}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def settings_tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _tokens_page(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, raw = services.create_api_token(member_of(request), form.cleaned_data["name"])
        except ServiceError as exc:
            add_service_error(form, exc)
        else:
            # The raw token is on this response only: it is never stored, so it cannot be shown again.
            messages.success(request, f"Token “{token.name}” created.")
            return _tokens_page(request, TokenForm(), new_token=raw)
    return _tokens_page(request, form, status=400)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.revoke_api_token(member_of(request), token_id)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token “{token.name}” is revoked: it no longer works.")
    return redirect("settings_tokens")

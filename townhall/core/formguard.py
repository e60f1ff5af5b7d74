"""Spam defence for the forms people write in, with no outside service: a honeypot and a signed stamp.

Robots that post spam fill in every text field they find and send a form the moment they have it.
So the forms for signing up, asking, answering and commenting carry two extra fields:

- a honeypot, `website`: a text field people never see (moved off-screen by the stylesheet, out of
  the tab order, hidden from assistive technology, and labelled "leave this empty" for anyone who
  meets it anyway). A form that comes back with it filled in is refused.
- a stamp: the time the form was shown and a random nonce, signed with the secret key. A form that
  comes back without it, with a stamp that was changed, sooner than FORM_MIN_SECONDS after it was
  shown or more than a day after, is refused. A stamp is good for one sending: a robot that fetched
  one page cannot post with its stamp again and again (nor from other accounts).

A refusal is a form error: the page is shown again with everything the person wrote, and a new stamp
that keeps the time the form was first shown (a person who previews, or fixes a title the services
refused, is not made to wait again). A preview is checked but neither waits nor spends the stamp. The
fields are never kept in a fragment shared between viewers: shared fragments hold PLACEHOLDER
instead, which core.fragments.with_csrf swaps for this viewer's fields.

FORM_GUARD = False turns the checks off (the test suite does, except for the tests about them).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

HONEYPOT = "website"
STAMP = "form_stamp"
SALT = "townhall.core.formguard"
# How long a form may stay open: longer than anyone writes one, short enough that a stamp copied
# by a robot stops working.
MAX_AGE_SECONDS = 24 * 60 * 60
# What shared fragments hold instead of the guard's fields (see core.fragments). Members' text cannot
# contain it: Markdown is sanitised by nh3, which removes every HTML comment.
PLACEHOLDER = mark_safe("<!--townhall:formguard-->")

FILLED_HONEYPOT = ("This could not be sent: a field that should stay empty was filled in (a browser's autofill "
                   "sometimes does that). Your text is still here: please send it again.")
BAD_STAMP = "This form could not be checked. Your text is still here: please send it again."
TOO_FAST = ("That was sent too quickly after the page opened. Your text is still here: please check it "
            "and send it again.")
TOO_OLD = "This page was open for more than a day. Your text is still here: please send it again."
USED = "This form was sent already. Your text is still here: send it again if you meant to."


def new_stamp(at: float | None = None) -> str:
    """A signed stamp of now (or of `at`, seconds since the epoch), with a nonce: each one is new."""
    return signing.dumps([time.time() if at is None else at, secrets.token_hex(8)], salt=SALT)


def shown_at(stamp: Any) -> float | None:
    """When the form carrying `stamp` was shown, if the stamp is one of ours."""
    try:
        loaded = signing.loads(str(stamp or ""), salt=SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(loaded, list) and len(loaded) == 2):
        return None
    at = loaded[0]
    if not isinstance(at, int | float) or isinstance(at, bool):
        return None
    return float(at)


def carried_stamp(sent: Any = None) -> str:
    """The stamp for a form shown (again): of the time it was first shown when the person sent a valid
    stamp of ours, else of now."""
    at = shown_at(sent) if sent else None
    now = time.time()
    if at is None or at > now or now - at > MAX_AGE_SECONDS:
        at = None
    return new_stamp(at=at)


def honeypot_html() -> SafeString:
    # No id: the label wraps the field, so a page with many such forms has no duplicate ids.
    return format_html(
        '<span class="formguard"><label>If you are a person, leave this field empty '
        '<input type="text" name="{}" value="" autocomplete="off" tabindex="-1" aria-hidden="true">'
        "</label></span>",
        HONEYPOT,
    )


def stamp_html(sent: Any = None) -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', STAMP, carried_stamp(sent))


def fields_html(sent: Any = None) -> SafeString:
    """Both fields, for a form written out by hand: put it inside the <form>. `sent`: the stamp the
    person sent when the form is shown again."""
    return mark_safe(honeypot_html() + stamp_html(sent))


def fill(html: str, sent: Any = None) -> str:
    """A shared fragment with this viewer's fields in place of each PLACEHOLDER."""
    if PLACEHOLDER not in html:
        return html
    return html.replace(PLACEHOLDER, fields_html(sent))


def refusal(data: Mapping[str, Any], *, preview: bool = False) -> str | None:
    """Why a form sent with `data` (request.POST) is refused, or None when it is accepted (and its stamp
    spent, unless it is a preview)."""
    if not settings.FORM_GUARD:
        return None
    if str(data.get(HONEYPOT) or "").strip():
        return FILLED_HONEYPOT
    stamp = str(data.get(STAMP) or "")
    at = shown_at(stamp)
    if at is None:
        return BAD_STAMP
    age = time.time() - at
    if age > MAX_AGE_SECONDS:
        return TOO_OLD
    if preview:
        return None
    if settings.FORM_MIN_SECONDS and age < settings.FORM_MIN_SECONDS:
        return TOO_FAST
    # Spent once: the first sending takes it (cache.add is atomic), a second one is refused.
    spent = f"townhall:formguard:spent:{hashlib.sha256(stamp.encode()).hexdigest()[:32]}"
    if not cache.add(spent, 1, MAX_AGE_SECONDS + 60):
        return USED
    return None


class HoneypotInput(forms.TextInput):
    """Always rendered empty: a person who filled it by accident gets another chance."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return honeypot_html()


class StampInput(forms.HiddenInput):
    """Always a new stamp; of the time the form was first shown when it is shown again."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return stamp_html(value)


class GuardedForm(forms.Form):
    """A form with the honeypot and the stamp; a refusal is an error of the whole form.

    Templates that write out their fields one by one add `{{ form.guard_fields }}`; `form.as_p` and
    the like render them with the rest (label "": no label of their own, the widget has it).
    """

    website = forms.CharField(required=False, label="", widget=HoneypotInput)
    form_stamp = forms.CharField(required=False, widget=StampInput)

    @property
    def guard_fields(self) -> SafeString:
        return fields_html(self.data.get(STAMP) if self.is_bound else None)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        problem = refusal(self.data, preview="preview" in self.data)
        if problem:
            raise forms.ValidationError(problem, code="formguard")
        return cleaned

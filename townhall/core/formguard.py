"""Spam defence for the forms people write in, with no outside service: a honeypot and a signed stamp.

Robots that post spam fill in every text field they find and send a form the moment they have it.
So the forms for signing up, asking, answering and commenting carry two extra fields:

- a honeypot, `website`: a text field people never see (moved off-screen by the stylesheet, out of
  the tab order, hidden from assistive technology, and labelled "leave this empty" for anyone who
  meets it anyway). A form that comes back with it filled in is refused.
- a stamp: the time the form was shown, signed with the secret key. A form that comes back without
  it, with a stamp that was changed, sooner than FORM_MIN_SECONDS after it was shown or more than
  a day after, is refused.

A refusal is a form error: the page is shown again with everything the person wrote, and a fresh
stamp, so sending it again works. Both fields are rendered anew every time a form is shown (their
widgets ignore what was sent), never kept in a fragment shared between viewers: shared fragments
hold PLACEHOLDER instead, which core.fragments.with_csrf swaps for this viewer's fields.

FORM_GUARD = False turns the checks off (the test suite does, except for the tests about them).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
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


def new_stamp(at: float | None = None) -> str:
    """The signed time of now (or of `at`, seconds since the epoch: the benchmark's members read first)."""
    return signing.dumps(time.time() if at is None else at, salt=SALT)


def honeypot_html() -> SafeString:
    # No id: the label wraps the field, so a page with many such forms has no duplicate ids.
    return format_html(
        '<span class="formguard"><label>If you are a person, leave this field empty '
        '<input type="text" name="{}" value="" autocomplete="off" tabindex="-1" aria-hidden="true">'
        "</label></span>",
        HONEYPOT,
    )


def stamp_html() -> SafeString:
    return format_html('<input type="hidden" name="{}" value="{}">', STAMP, new_stamp())


def fields_html() -> SafeString:
    """Both fields, for a form written out by hand: put it inside the <form>."""
    return mark_safe(honeypot_html() + stamp_html())


def fill(html: str) -> str:
    """A shared fragment with fresh fields in place of each PLACEHOLDER."""
    if PLACEHOLDER not in html:
        return html
    return html.replace(PLACEHOLDER, fields_html())


def refusal(data: Mapping[str, Any]) -> str | None:
    """Why a form sent with `data` (request.POST) is refused, or None when it is accepted."""
    if not settings.FORM_GUARD:
        return None
    if str(data.get(HONEYPOT) or "").strip():
        return FILLED_HONEYPOT
    try:
        shown_at = signing.loads(str(data.get(STAMP) or ""), salt=SALT)
    except signing.BadSignature:
        return BAD_STAMP
    if not isinstance(shown_at, int | float) or isinstance(shown_at, bool):
        return BAD_STAMP
    age = time.time() - shown_at
    if settings.FORM_MIN_SECONDS and age < settings.FORM_MIN_SECONDS:
        return TOO_FAST
    if age > MAX_AGE_SECONDS:
        return TOO_OLD
    return None


class HoneypotInput(forms.TextInput):
    """Always rendered empty: a person who filled it by accident gets another chance."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return honeypot_html()


class StampInput(forms.HiddenInput):
    """Always rendered with the time it is rendered, whatever was sent."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return stamp_html()


class GuardedForm(forms.Form):
    """A form with the honeypot and the stamp; a refusal is an error of the whole form.

    Templates that write out their fields one by one add `{{ form.guard_fields }}`; `form.as_p` and
    the like render them with the rest (label "": no label of their own, the widget has it).
    """

    website = forms.CharField(required=False, label="", widget=HoneypotInput)
    form_stamp = forms.CharField(required=False, widget=StampInput)

    @property
    def guard_fields(self) -> SafeString:
        return fields_html()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        problem = refusal(self.data)
        if problem:
            raise forms.ValidationError(problem, code="formguard")
        return cleaned

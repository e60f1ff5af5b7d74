"""Forms of the question pages. They only parse: the services validate and name the field at fault.

They carry core.formguard's honeypot and stamp: a robot's form is refused before any service sees it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from townhall.content.forms import BodyField
from townhall.core.formguard import GuardedForm


class AskForm(GuardedForm):
    title = forms.CharField(
        required=False,
        help_text="Say in a few words what the problem is, as you would tell a friend.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "hx-trigger": "keyup changed delay:400ms",
                                      "hx-target": "#similar"}),
    )
    body = BodyField(label="Details")
    tags = forms.CharField(required=False, help_text="Up to 5 words, separated by commas or spaces, e.g. wifi setup.")
    # A plain field with a select: an unknown or invisible space reaches the service, which names it.
    space = forms.CharField(required=False, widget=forms.Select)

    def __init__(self, *args: Any, spaces: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["title"].widget.attrs["hx-get"] = reverse("search_similar")
        self.fields["space"].widget.choices = [("", "Choose a space")] + spaces


class BodyForm(GuardedForm):
    """An answer, or a comment under one (its form is written out in content/_post.html)."""

    body = BodyField(label="Your answer")

"""Forms of the writing pages: they only parse; the services validate and name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms


class BodyField(forms.CharField):
    """Markdown text; the services say when it is empty or too long."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 10}))
        kwargs.setdefault("help_text", "Markdown: **bold**, _italic_, `code`, lists, links. Mention with @name.")
        super().__init__(**kwargs)


class EditTopicForm(forms.Form):
    title = forms.CharField(required=False)
    body = BodyField(label="Details")
    tags = forms.CharField(required=False, help_text="Up to 5 words, separated by commas or spaces.")


class EditPostForm(forms.Form):
    body = BodyField(label="Text")

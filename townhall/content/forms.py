"""Forms of the writing pages: they only parse; the services validate and name the field at fault."""

from __future__ import annotations

from typing import Any

from django import forms

from townhall.core import access


class BodyField(forms.CharField):
    """Markdown text; the services say when it is empty or too long."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 10}))
        kwargs.setdefault("help_text", "Markdown: **bold**, _italic_, `code`, lists, links. Mention with @name.")
        super().__init__(**kwargs)


class ModeratorNoteMixin(forms.Form):
    """A moderator editing someone else's words says why, in public ("Edited by a moderator: …")."""

    moderator_note = forms.CharField(
        required=False, max_length=500, label="Why you edit it (shown with it, in public)",
        help_text="e.g. Removed a phone number (rule 5). Leave empty for a silent fix of a typo.",
    )

    def for_editor(self, editor: Any, item: Any) -> ModeratorNoteMixin:
        if item.author_id == editor.pk or not access.is_moderator(editor):
            del self.fields["moderator_note"]
        return self


class EditTopicForm(ModeratorNoteMixin):
    title = forms.CharField(required=False)
    body = BodyField(label="Details")
    tags = forms.CharField(required=False, help_text="Up to 5 words, separated by commas or spaces.")
    field_order = ["title", "body", "tags", "moderator_note"]


class EditPostForm(ModeratorNoteMixin):
    body = BodyField(label="Text")
    field_order = ["body", "moderator_note"]

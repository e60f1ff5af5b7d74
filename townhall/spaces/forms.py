"""Forms of the space admin pages: they parse types; spaces.services validates the meaning."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from townhall.spaces.models import KIND_CHOICES, VISIBILITY_CHOICES, Membership, Space


class SpaceForm(forms.Form):
    slug = forms.CharField(max_length=60, required=False,
                           help_text="Lowercase letters, digits and hyphens; it is the space's address.")
    name = forms.CharField(max_length=100, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False)
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial="forum")
    visibility = forms.ChoiceField(choices=VISIBILITY_CHOICES, initial="public")
    parent = forms.ChoiceField(required=False, help_text="The product or category this space belongs to.")
    position = forms.IntegerField(min_value=0, initial=0, help_text="Lower numbers come first.")
    support_email = forms.CharField(max_length=254, required=False, help_text="Escalated questions are emailed here.")
    unanswered_hours = forms.IntegerField(
        initial=24, help_text="A question with no answer after this many hours goes to the support team."
    )
    unsolved_hours = forms.IntegerField(
        initial=72, help_text="A question with no accepted solution after this many hours goes to the support team."
    )
    hold_first_posts = forms.BooleanField(
        required=False, label="Hold new members' first posts for review",
        help_text="A post here by a member with nothing published yet waits for a moderator before anyone else "
                  "sees it.",
    )

    def __init__(self, *args: Any, parents: list[Space], editing: Space | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.parents = {str(space.pk): space for space in parents if editing is None or space.pk != editing.pk}
        cast(forms.ChoiceField, self.fields["parent"]).choices = [("", "— none: a top-level product —")] + [
            (key, f"{space.parent.name} › {space.name}" if space.parent else space.name)
            for key, space in self.parents.items()
        ]
        if editing is not None:
            # The slug is the space's address: it does not change once links point at it.
            self.fields["slug"].disabled = True
            self.fields["slug"].help_text = "The address of the space; it does not change."

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["parent"] = self.parents.get(data.get("parent") or "")
        return data


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=Membership.ROLE_CHOICES, initial="member")


class RemoveMemberForm(forms.Form):
    username = forms.CharField(max_length=150)

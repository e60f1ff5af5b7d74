"""Forms for signing up and the member's settings pages. They shape the input; the services decide what is valid."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from townhall.core.errors import ServiceError
from townhall.core.formguard import GuardedForm


class SignupForm(GuardedForm, AllauthSignupForm):
    """allauth's sign-up form with the honeypot and the time-to-submit stamp (core.formguard)."""


class SettingsForm(forms.Form):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ProfileForm(SettingsForm):
    display_name = forms.CharField(
        max_length=80, required=False, label="Display name", help_text="How other members see you."
    )
    bio = forms.CharField(
        max_length=2000, required=False, label="About you", widget=forms.Textarea(attrs={"rows": 5})
    )
    region = forms.CharField(max_length=80, required=False, help_text="For example “Shenzhen, China”.")
    languages = forms.CharField(
        max_length=200, required=False, help_text="The languages you speak, separated by commas."
    )
    products = forms.CharField(
        max_length=300, required=False, label="Products you use", help_text="Separated by commas."
    )
    # A plain file field: the avatar is checked by its content in the service, not by its name here.
    avatar = forms.FileField(
        required=False, label="New avatar",
        help_text="A PNG, JPEG, GIF or WebP image, at most 2 MB and 4096 pixels on a side.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    remove_avatar = forms.BooleanField(required=False, label="Remove my avatar")
    email_notifications = forms.BooleanField(
        required=False, label="Email me about answers, replies, mentions and what I follow"
    )


class TokenForm(SettingsForm):
    name = forms.CharField(
        max_length=80, label="Token name", help_text="What will use it, e.g. “CRM sync”."
    )


def add_service_error(form: forms.Form, exc: ServiceError) -> None:
    """Show a service's refusal on the form: next to its field when the form has one."""
    if not exc.errors:
        form.add_error(None, exc.message)
        return
    for field, reasons in exc.errors.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, reason)

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open; emails link back to the configured site URL."""

    def get_email_confirmation_url(self, request, emailconfirmation):  # type: ignore[no-untyped-def]
        url = super().get_email_confirmation_url(request, emailconfirmation)
        if request is None:
            return settings.SITE_URL + url
        return url

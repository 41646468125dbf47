from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.utils import translation

from config.env import env_bool


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return env_bool("PUENTE_SIGNUP_OPEN", True)

    def save_user(self, request, user, form, commit=True):
        # A new member keeps the language they signed up in (e-mails use it).
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.language = language
        return super().save_user(request, user, form, commit=commit)

    def confirm_email(self, request, email_address):
        super().confirm_email(request, email_address)
        from network.services import member_welcome

        member_welcome(user=email_address.user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Institutional single sign-on: identity providers are configured as SocialApps."""

    def is_open_for_signup(self, request, sociallogin):
        return env_bool("PUENTE_SIGNUP_OPEN", True)

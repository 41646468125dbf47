"""Roles and the rules built on them: the one place every app asks.

Until per-network roles exist, platform-wide roles are Django groups; DPS staff are
`is_staff` users (they reach the CMS).
"""

from django.conf import settings

MODERATORS_GROUP = "Moderators"
INSTRUCTORS_GROUP = "Instructors"
DPS_STAFF_GROUP = "DPS staff"
PLATFORM_GROUPS = (DPS_STAFF_GROUP, MODERATORS_GROUP, INSTRUCTORS_GROUP)


def _group_names(user) -> set[str]:
    # Cached on the instance: templates and middleware ask several times per request.
    if not hasattr(user, "_puente_group_names"):
        user._puente_group_names = set(user.groups.values_list("name", flat=True))
    return user._puente_group_names


def is_member(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_dps_staff(user) -> bool:
    return is_member(user) and (user.is_staff or user.is_superuser or DPS_STAFF_GROUP in _group_names(user))


def is_moderator(user) -> bool:
    return is_member(user) and (is_dps_staff(user) or MODERATORS_GROUP in _group_names(user))


def is_instructor(user) -> bool:
    return is_member(user) and INSTRUCTORS_GROUP in _group_names(user)


def requires_two_factor(user) -> bool:
    """Staff and moderators may only act once they have TOTP two-factor set up."""
    return settings.PUENTE_TWO_FACTOR_REQUIRED_FOR_STAFF and is_moderator(user)


def has_two_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def may_act(user) -> bool:
    """A signed-in member may change things: staff and moderators only with two-factor set up."""
    return is_member(user) and (not requires_two_factor(user) or has_two_factor(user))


def can_send_announcements(user) -> bool:
    return is_dps_staff(user)


def can_subscribe_user_stream(user, key: str) -> bool:
    return is_member(user) and key == ""

"""Roles and the rules built on them: the one place every app asks.

Roles live in two places: a member's role in each network (`Membership.role`: member,
moderator, instructor, network manager) and platform-wide groups (DPS staff, moderators,
instructors). DPS staff are `is_staff` users or the "DPS staff" group; they may do
everything a network manager may, in every network.
"""

from django.conf import settings

MODERATORS_GROUP = "Moderators"
INSTRUCTORS_GROUP = "Instructors"
DPS_STAFF_GROUP = "DPS staff"
NETWORK_MANAGERS_GROUP = "Network managers"
PLATFORM_GROUPS = (DPS_STAFF_GROUP, MODERATORS_GROUP, INSTRUCTORS_GROUP, NETWORK_MANAGERS_GROUP)


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
    """Moderates somewhere: platform group, or moderator/manager role in any network."""
    from network.models import Role

    if not is_member(user):
        return False
    if is_dps_staff(user) or MODERATORS_GROUP in _group_names(user):
        return True
    return any(role in (Role.MODERATOR, Role.MANAGER) for role in _memberships(user).values())


def is_instructor(user) -> bool:
    from network.models import Role

    return is_member(user) and (
        INSTRUCTORS_GROUP in _group_names(user) or Role.INSTRUCTOR in _memberships(user).values()
    )


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


# --- networks -----------------------------------------------------------------------------


def _memberships(user) -> dict[int, str]:
    """{network id: role} of the member's active memberships, cached on the instance."""
    if not is_member(user):
        return {}
    if not hasattr(user, "_puente_memberships"):
        from network.models import Membership

        user._puente_memberships = dict(
            Membership.objects.active().filter(user=user).values_list("network_id", "role")
        )
    return user._puente_memberships


def forget_cached_roles(user) -> None:
    for attribute in ("_puente_memberships", "_puente_group_names"):
        if hasattr(user, attribute):
            delattr(user, attribute)


def network_ids_of(user) -> set[int]:
    """The networks the member belongs to (active memberships only)."""
    return set(_memberships(user))


def is_network_member(user, network) -> bool:
    network_id = getattr(network, "pk", network)
    return network_id in _memberships(user)


def role_in(user, network) -> str | None:
    return _memberships(user).get(getattr(network, "pk", network))


def is_vetted_member(user) -> bool:
    """Belongs to at least one network (or is DPS staff): may see members-only things."""
    return is_dps_staff(user) or bool(_memberships(user))


def is_network_manager(user, network) -> bool:
    from network.models import Role

    return is_dps_staff(user) or role_in(user, network) == Role.MANAGER


def managed_network_ids(user) -> set[int] | None:
    """Networks whose applications and members the user manages; None means all (DPS staff)."""
    from network.models import Role

    if is_dps_staff(user):
        return None
    return {network_id for network_id, role in _memberships(user).items() if role == Role.MANAGER}


def can_manage_any_network(user) -> bool:
    managed = managed_network_ids(user)
    return managed is None or bool(managed)


def is_network_moderator(user, network) -> bool:
    from network.models import Role

    return is_dps_staff(user) or role_in(user, network) in (Role.MODERATOR, Role.MANAGER)


def shares_a_network(viewer, member) -> bool:
    """True when the viewer and the member have an active network in common (or viewer is staff)."""
    if is_dps_staff(viewer):
        return True
    if getattr(viewer, "pk", None) == getattr(member, "pk", None) and is_member(viewer):
        return True
    return bool(network_ids_of(viewer) & network_ids_of(member))


def can_view_directory(user) -> bool:
    return is_vetted_member(user)


def can_subscribe_user_stream(user, key: str) -> bool:
    return is_member(user) and key == ""

"""Reads of forum moderation used by the rest of the forums."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone


def is_silenced(user, network) -> bool:
    """`network`: a Network or its id."""
    """True while `user` is silenced in `network`'s forums (they may read, not post)."""
    from forums.moderation.models import Silence

    if user is None or not user.is_authenticated:
        return False
    now = timezone.now()
    return (
        Silence.objects.filter(user=user, network_id=getattr(network, "pk", network), lifted_at=None)
        .filter(Q(until=None) | Q(until__gt=now))
        .exists()
    )

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from network.permissions import can_manage_any_network, can_send_announcements, is_member
from network.registry import registry
from network.selectors import unread_notification_count


def _navigation(user):
    items = []
    for item in registry.navigation():
        if item.members_only and not is_member(user):
            continue
        if item.visible is not None and not item.visible(user):
            continue
        try:
            url = reverse(item.url_name, args=item.url_args)
        except NoReverseMatch:
            continue
        items.append({"key": item.key, "label": item.label, "url": url})
    return items


def site_chrome(request):
    """What the base layout needs on every page: navigation, languages, unread badge."""
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "site_navigation": _navigation(user),
        "unread_notifications": unread_notification_count(user),
        "site_languages": [(code, name) for code, name in settings.LANGUAGES],
        "can_announce": can_send_announcements(user),
        "can_review_applications": can_manage_any_network(user),
    }

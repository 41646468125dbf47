"""Where other apps add to a member's profile page without this app knowing them.

- profile sections: a block of the profile page (a member's forum activity, their courses
  and certificates...). `render(viewer, member)` returns HTML (already escaped, e.g. from
  `render_to_string` or `format_html`) or None to show nothing to this viewer.
- contact actions: a way to reach the member ("Send a message" once chat exists).
  `render(viewer, member, profile)` returns HTML or None. They are only asked when the
  viewer is not the member and the member accepts contact (`profile.contact_preference`
  tells which way: an action for direct messages should check for "message").

Both are called only for viewers who may see the profile (the same check as the page),
and must decide themselves what of their own data the viewer may see.

    from network.profiles.registry import register_contact_action
    register_contact_action("chat", render=chat_button, order=10)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProfileSection:
    name: str
    render: Callable[[Any, Any], str | None]
    order: int = 100


@dataclass(frozen=True)
class ContactAction:
    name: str
    render: Callable[[Any, Any, Any], str | None]
    order: int = 100


_sections: dict[str, ProfileSection] = {}
_contact_actions: dict[str, ContactAction] = {}


def register_profile_section(name: str, render: Callable[[Any, Any], str | None], order: int = 100) -> None:
    _sections[name] = ProfileSection(name=name, render=render, order=order)


def register_contact_action(
    name: str, render: Callable[[Any, Any, Any], str | None], order: int = 100
) -> None:
    _contact_actions[name] = ContactAction(name=name, render=render, order=order)


def unregister(name: str) -> None:
    """Remove a section or action (tests register their own and clean up)."""
    _sections.pop(name, None)
    _contact_actions.pop(name, None)


def profile_sections() -> list[ProfileSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.name))


def contact_actions() -> list[ContactAction]:
    return sorted(_contact_actions.values(), key=lambda action: (action.order, action.name))

"""Where feature apps plug into the platform without importing each other.

Each app fills these in its `AppConfig.ready()`:

- streams: a WebSocket stream prefix with its permission check, its replay function and
  (optionally) a handler for `send` actions;
- notification types: what a member can be notified of, the message shown and the
  default e-mail delivery;
- navigation: the sections shown in the site header;
- demo seeders: steps of `manage.py seed_demo`;
- recent providers: the home page's "what's new" sections (forum topics, events, courses).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Stream:
    """A family of WebSocket streams sharing a prefix, e.g. `chat.room.` or `user`.

    can_subscribe(user, key) -> bool       runs in a worker thread (may use the ORM)
    replay(user, key, since) -> list[dict] events with id > since, oldest first
    on_send(user, key, content) -> dict    stores and returns the event to broadcast;
                                           raises StreamError for a refusal
    on_join / on_leave / on_heartbeat(user, key, socket_id)
                                           a socket subscribed, left (or closed), or is
                                           still there (each heartbeat): for presence
    """

    prefix: str
    can_subscribe: Callable[[Any, str], bool]
    replay: Callable[[Any, str, int | None], list[dict]] | None = None
    on_send: Callable[[Any, str, dict], dict] | None = None
    exact: bool = False
    group: Callable[[Any, str], str] | None = None
    on_join: Callable[[Any, str, str], None] | None = None
    on_leave: Callable[[Any, str, str], None] | None = None
    on_heartbeat: Callable[[Any, str, str], None] | None = None

    def group_name(self, user, key: str) -> str:
        """The fan-out group a subscriber joins (per stream unless the stream says otherwise)."""
        if self.group is not None:
            return self.group(user, key)
        return stream_group(self.prefix + key)


def stream_group(stream_name: str) -> str:
    return "stream." + stream_name


class StreamError(Exception):
    """A refusal sent to the client as an `error` event (code: forbidden, invalid, rate_limited)."""

    def __init__(self, code: str, detail: str = "", **extra):
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.extra = extra


@dataclass(frozen=True)
class NotificationType:
    verb: str
    label: str | Promise
    message: str  # an English msgid marked with gettext_noop, formatted with the params
    default_delivery: str = "immediate"


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    order: int = 100
    members_only: bool = False
    url_args: tuple = ()
    visible: Callable[[Any], bool] | None = None  # a permission function: shown only when it says yes


@dataclass(frozen=True)
class Seeder:
    name: str
    run: Callable[..., None]
    order: int = 100


@dataclass(frozen=True)
class DashboardMetric:
    """A count shown on the network dashboard, by member state and month.

    counts(network_ids, since) -> iterable of (country code or "", month as date, count);
    network_ids is None for every network (DPS staff).
    """

    key: str
    label: str | Promise
    counts: Callable[[set[int] | None, Any], Iterable[tuple[str, Any, int]]]
    order: int = 100


@dataclass(frozen=True)
class RecentItem:
    """One line of the home page's "what's new": a title, where it leads, a short line."""

    title: str
    url: str
    meta: str = ""
    language: str = ""


@dataclass(frozen=True)
class RecentProvider:
    """A home-page section of recent things from one app.

    items(user, limit) -> list[RecentItem]   only what `user` may see; a fixed number of queries
    """

    key: str
    label: str | Promise
    items: Callable[[Any, int], list[RecentItem]]
    order: int = 100
    more_url_name: str = ""


@dataclass
class Registry:
    streams: dict[str, Stream] = field(default_factory=dict)
    notification_types: dict[str, NotificationType] = field(default_factory=dict)
    nav_items: dict[str, NavItem] = field(default_factory=dict)
    seeders: dict[str, Seeder] = field(default_factory=dict)
    dashboard_metrics: dict[str, DashboardMetric] = field(default_factory=dict)
    member_approved_hooks: list[Callable[..., None]] = field(default_factory=list)
    recent_providers: dict[str, RecentProvider] = field(default_factory=dict)
    # user -> list of {"event", "data"}: appended to every replay of the `user` stream
    # (chat's unread counts, for example).
    user_stream_states: dict[str, Callable[[Any], list[dict]]] = field(default_factory=dict)

    def register_user_stream_state(self, key: str, states: Callable[[Any], list[dict]]) -> None:
        self.user_stream_states[key] = states

    def register_recent_provider(self, provider: RecentProvider) -> None:
        self.recent_providers[provider.key] = provider

    def ordered_recent_providers(self) -> list[RecentProvider]:
        return sorted(self.recent_providers.values(), key=lambda provider: provider.order)

    def on_member_approved(self, hook: Callable[..., None]) -> None:
        """hook(user=..., application=...) runs inside the approval's transaction."""
        if hook not in self.member_approved_hooks:
            self.member_approved_hooks.append(hook)

    def register_dashboard_metric(self, metric: DashboardMetric) -> None:
        """Register a metric (a later registration with the same key replaces the earlier one)."""
        self.dashboard_metrics[metric.key] = metric

    def ordered_dashboard_metrics(self) -> list[DashboardMetric]:
        return sorted(self.dashboard_metrics.values(), key=lambda metric: metric.order)

    def register_stream(self, stream: Stream) -> None:
        self.streams[stream.prefix] = stream

    def stream_for(self, name: str) -> tuple[Stream, str] | None:
        """The stream handling `name` and the key after its prefix (`chat.room.lobby` → `lobby`)."""
        if not isinstance(name, str) or len(name) > 200:
            return None
        for prefix, stream in self.streams.items():
            if stream.exact and name == prefix:
                return stream, ""
            if not stream.exact and name.startswith(prefix) and len(name) > len(prefix):
                return stream, name[len(prefix) :]
        return None

    def register_notification_type(self, notification_type: NotificationType) -> None:
        self.notification_types[notification_type.verb] = notification_type

    def register_nav_item(self, item: NavItem) -> None:
        self.nav_items[item.key] = item

    def navigation(self) -> Iterable[NavItem]:
        return sorted(self.nav_items.values(), key=lambda item: item.order)

    def register_seeder(self, seeder: Seeder) -> None:
        self.seeders[seeder.name] = seeder

    def ordered_seeders(self) -> list[Seeder]:
        return sorted(self.seeders.values(), key=lambda seeder: seeder.order)


registry = Registry()

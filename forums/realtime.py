"""The forums' WebSocket streams, registered with network.registry in ForumsConfig.ready().

- forums.topic.<id>: post.created / post.updated / post.hidden / post.restored /
  post.deleted / post.reactions / topic.updated; `send` posts a reply (same service and
  checks as the HTML form); replay with `since` = the highest post id the tab has seen.
- forums.category.<slug>: topic.created, for the "N new topics" bar of list pages.

Both are readable exactly when the HTML page is (forums.selectors).
"""

from __future__ import annotations

from forums import selectors, services


def can_subscribe_topic(user, key: str) -> bool:
    return selectors.topic_by_id_for(user, key) is not None


def can_subscribe_category(user, key: str) -> bool:
    return selectors.category_by_slug_for(user, key) is not None


def register() -> None:
    from network.registry import Stream, registry

    registry.register_stream(
        Stream(
            prefix="forums.topic.",
            can_subscribe=can_subscribe_topic,
            replay=selectors.topic_stream_replay,
            on_send=services.post_reply_from_socket,
        )
    )
    registry.register_stream(
        Stream(
            prefix="forums.category.",
            can_subscribe=can_subscribe_category,
            replay=selectors.category_stream_replay,
        )
    )

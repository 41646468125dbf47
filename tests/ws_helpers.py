"""Opening the platform's WebSocket in tests, through the real ASGI stack.

The socket goes through `config.asgi.application`, so the Origin check and the session
authentication run exactly as in production.
"""

from contextlib import asynccontextmanager

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application

TIMEOUT = 3  # seconds to wait for a frame that should arrive
QUIET = 0.5  # seconds of silence that count as "nothing arrived"


async def session_cookie(user) -> str:
    """Log `user` in with Django's test client and return their session cookie value."""

    def login():
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    return await sync_to_async(login)()


def socket_headers(cookie: str | None = None, origin: str = "http://localhost", extra_cookies: str = ""):
    headers = [(b"origin", origin.encode()), (b"host", b"localhost")]
    cookies = "; ".join(
        part for part in (f"{settings.SESSION_COOKIE_NAME}={cookie}" if cookie else "", extra_cookies) if part
    )
    if cookies:
        headers.append((b"cookie", cookies.encode()))
    return headers


@asynccontextmanager
async def open_socket(cookie: str | None = None, origin: str = "http://localhost"):
    """An accepted socket on /ws/ (asserted), always disconnected afterwards."""
    communicator = WebsocketCommunicator(application, "/ws/", headers=socket_headers(cookie, origin))
    try:
        connected, _subprotocol = await communicator.connect(timeout=TIMEOUT)
        assert connected, "the socket was refused"
        yield communicator
    finally:
        await communicator.disconnect(timeout=TIMEOUT)


async def receive(communicator) -> dict:
    return await communicator.receive_json_from(timeout=TIMEOUT)


async def subscribe(communicator, stream: str, since=None) -> dict:
    """Subscribe and return the first answer (`subscribed` or an `error`)."""
    await communicator.send_json_to({"action": "subscribe", "stream": stream, "since": since})
    return await receive(communicator)


async def nothing_more(communicator, timeout: float = QUIET) -> bool:
    return await communicator.receive_nothing(timeout=timeout)

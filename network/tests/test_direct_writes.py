"""Fan-out frames written straight to Daphne's transport: the frame bytes, and finding
the connection behind a consumer's `send` (only Daphne's; anything else goes the usual
way). The path itself runs under real Daphne processes in tests/test_chat_scale_out.py
and the browser tests."""

import functools

from daphne.server import Server

from network.consumers import daphne_connection, websocket_text_frame, write_now


def test_frames_carry_the_length_in_the_form_the_protocol_asks_for():
    assert websocket_text_frame("hola") == b"\x81\x04hola"
    medium = "é" * 100  # 200 bytes in UTF-8: a 16-bit length
    assert websocket_text_frame(medium)[:4] == b"\x81\x7e\x00\xc8"
    large = "x" * 70_000  # a 64-bit length
    frame = websocket_text_frame(large)
    assert frame[:10] == b"\x81\x7f" + (70_000).to_bytes(8, "big") and len(frame) == 70_010


class SessionWrapper:  # the shape of channels' InstanceSessionWrapper
    def __init__(self, real_send):
        self.real_send = real_send

    async def send(self, message):
        await self.real_send(message)


def test_the_daphne_connection_is_found_through_the_session_wrapper():
    server = Server.__new__(Server)  # identity is all that matters here
    protocol = object()
    send = SessionWrapper(functools.partial(server.handle_reply, protocol)).send
    assert daphne_connection(send) == (server, protocol)


def test_other_servers_and_test_communicators_go_the_usual_way():
    async def plain_send(message):
        return None

    assert daphne_connection(plain_send) is None
    assert daphne_connection(SessionWrapper(plain_send).send) is None
    assert daphne_connection(functools.partial(print, "x")) is None


class Transport:
    """The attributes of a Twisted TCP transport that write_now reads."""

    TLS = False
    connected = True
    disconnecting = False

    def __init__(self, sock, pending=b""):
        self.socket = sock
        self.dataBuffer = pending
        self._tempDataBuffer = []
        self.queued = []

    def write(self, data):
        self.queued.append(data)


def test_a_frame_goes_out_at_once_when_nothing_waits_and_after_what_waits_otherwise():
    import socket

    left, right = socket.socketpair()
    left.setblocking(False)
    try:
        idle = Transport(left)
        write_now(idle, b"first")
        assert right.recv(100) == b"first" and idle.queued == []

        busy = Transport(left, pending=b"older bytes")  # order kept: behind what waits
        write_now(busy, b"second")
        assert busy.queued == [b"second"]

        tls = Transport(left)
        tls.TLS = True
        write_now(tls, b"third")
        assert tls.queued == [b"third"]

        full = Transport(left)
        left.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        big = b"x" * 1_000_000  # more than the socket takes: the rest is queued
        write_now(full, big)
        assert full.queued and 0 < len(full.queued[0]) < len(big) and big.endswith(full.queued[0])
    finally:
        left.close()
        right.close()

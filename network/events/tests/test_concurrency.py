"""Seats under concurrency: several web processes registering and cancelling at once never
hand out more seats than the event has (PostgreSQL row locks; SQLite serialises writers)."""

import threading

import pytest
from django.db import connection, connections

from network.events.models import Registration
from network.events.services import registration_cancel, registration_create
from network.events.tests.factories import EventFactory
from tests.factories import NetworkFactory, member_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"),
]


def run_at_once(functions):
    barrier = threading.Barrier(len(functions))
    errors = []

    def run(function):
        try:
            barrier.wait()
            function()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(function,)) for function in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_concurrent_registrations_never_overbook_and_queue_everyone_else():
    network = NetworkFactory()
    event = EventFactory(network=network, online=True, capacity=2)
    members = [member_of(network) for _ in range(8)]
    run_at_once([lambda user=user: registration_create(event=event, user=user) for user in members])
    registrations = Registration.objects.filter(event=event).with_waitlist_position()
    assert registrations.filter(status="registered").count() == 2
    positions = sorted(r.waitlist_position for r in registrations.filter(status="waitlisted"))
    assert positions == [1, 2, 3, 4, 5, 6]


def test_concurrent_cancellations_promote_each_waiting_person_once():
    network = NetworkFactory()
    event = EventFactory(network=network, online=True, capacity=3)
    holders = [member_of(network) for _ in range(3)]
    waiting = [member_of(network) for _ in range(4)]
    seats = [registration_create(event=event, user=user) for user in holders]
    for user in waiting:
        registration_create(event=event, user=user)
    run_at_once(
        [
            lambda seat=seat, user=user: registration_cancel(registration=seat, by=user)
            for seat, user in zip(seats, holders, strict=True)
        ]
        + [lambda user=user: registration_create(event=event, user=user) for user in waiting]
    )
    registered = set(
        Registration.objects.filter(event=event, status="registered").values_list("user_id", flat=True)
    )
    assert registered == {user.id for user in waiting[:3]}
    assert Registration.objects.get(event=event, user=waiting[3]).status == "waitlisted"

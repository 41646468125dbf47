"""Demo events (DEBUG only): upcoming and past events of both networks and a few
registrations of the demo accounts. Dates are relative to today, so a re-run keeps the
upcoming events upcoming. Idempotent: events are matched by slug, registrations by member."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

DEMO_EVENTS = [
    # "days" from today at the local "start" time in "time_zone", lasting "hours"; events
    # with a "venue" (name, address, city, country code) are in person, the others online.
    {
        "slug": "webinar-plan-seguridad-turistica",
        "network": "prevention",
        "kind": "webinar",
        "language": "es",
        "title": "Webinario: revisión intermedia del plan de seguridad turística",
        "description": (
            "A mitad de los ejercicios basados en escenarios (12 a 15 semanas), el equipo del "
            "programa de seguridad turística y los actores públicos y privados del destino revisan "
            "los avances y los obstáculos del plan de seguridad turística.\n\n"
            "Abierto a los miembros de la red; se grabará."
        ),
        "days": 7,
        "start": time(10, 0),
        "hours": 1.5,
        "time_zone": "America/Costa_Rica",
        "online_url": "https://meet.example.org/puente/seguridad-turistica",
        "capacity": None,
        "is_public": True,
    },
    {
        "slug": "port-security-workshop-port-of-spain",
        "network": "prevention",
        "kind": "workshop",
        "language": "en",
        "title": "Port security workshop: applying the ISPS Code",
        "description": (
            "A two-day workshop for port facility security officers, customs, coast guard and "
            "police, following the port security assessment: vulnerabilities found, training "
            "modules and inter-agency coordination under the ISPS Code."
        ),
        "days": 21,
        "start": time(9, 0),
        "hours": 32,
        "time_zone": "America/Port_of_Spain",
        "venue": (
            "Ministry of National Security, training room",
            "Temple Court, Abercromby Street",
            "Port of Spain",
            "TT",
        ),
        "capacity": 40,
        "is_public": True,
    },
    {
        "slug": "police-management-course-bogota",
        "network": "police",
        "kind": "course_session",
        "language": "es",
        "title": "Curso presencial de gestión policial — sesión de un mes en Bogotá",
        "description": (
            "Sesión presencial de un mes del curso de gestión policial en una academia de policía "
            "de Bogotá: liderazgo, planificación, gestión de calidad y rendición de cuentas. "
            "Cupos muy limitados: cuando se llenan, se abre una lista de espera."
        ),
        "days": 30,
        "start": time(8, 0),
        "hours": 24 * 29 + 9,
        "time_zone": "America/Bogota",
        "venue": ("Police academy (Escuela de Cadetes de Policía)", "", "Bogotá", "CO"),
        "capacity": 2,
        "is_public": True,
    },
    {
        "slug": "prevention-network-coordination-meeting",
        "network": "prevention",
        "kind": "meeting",
        "language": "en",
        "title": "Network coordination meeting (members only)",
        "description": (
            "Quarterly meeting of the network's members: the year's work plan, the next calls for "
            "best practices and the working groups."
        ),
        "days": 10,
        "start": time(11, 0),
        "hours": 1,
        "time_zone": "America/New_York",
        "online_url": "https://meet.example.org/puente/coordination",
        "capacity": None,
        "is_public": False,
    },
    {
        "slug": "victim-witness-protection-workshop-kingston",
        "network": "prevention",
        "kind": "workshop",
        "language": "en",
        "title": "Workshop: protecting victims and witnesses",
        "description": (
            "Practitioners from the Caribbean shared their protocols for protecting victims and witnesses."
        ),
        "days": -40,
        "start": time(9, 0),
        "hours": 8,
        "time_zone": "America/Jamaica",
        "venue": ("Conference centre", "", "Kingston", "JM"),
        "capacity": 30,
        "is_public": True,
        "links": [
            (
                "Workshop slides (PDF)",
                "https://example.org/puente/victim-protection-slides.pdf",
                "material",
                False,
            ),
            ("Model protocol (draft)", "https://example.org/puente/model-protocol.pdf", "material", True),
        ],
    },
    {
        "slug": "webinar-irregular-migration-lessons",
        "network": "police",
        "kind": "webinar",
        "language": "fr",
        "title": "Webinaire : prévenir la migration irrégulière, leçons apprises",
        "description": "Retour d'expérience des projets de prévention de la migration irrégulière.",
        "days": -14,
        "start": time(14, 0),
        "hours": 1.5,
        "time_zone": "America/Port-au-Prince",
        "online_url": "https://meet.example.org/puente/migration",
        "capacity": None,
        "is_public": True,
        "links": [
            ("Recording", "https://video.example.org/puente/migration-webinar", "recording", False),
            ("Presentation", "https://example.org/puente/migration-webinar.pdf", "material", False),
        ],
    },
]

# slug: usernames in order of registration (the Bogotá course has 2 seats: the third waits)
DEMO_REGISTRATIONS = {
    "webinar-plan-seguridad-turistica": ["member", "officer"],
    "police-management-course-bogota": ["instructor", "officer", "member"],
    "prevention-network-coordination-meeting": ["member"],
}
# slug: (username, attended) for past events
DEMO_PAST_REGISTRATIONS = {
    "victim-witness-protection-workshop-kingston": [("officer", True), ("member", False)],
    "webinar-irregular-migration-lessons": [("officer", None)],
}


def _starts(days: int, start: time, zone_name: str) -> datetime:
    zone = zoneinfo.ZoneInfo(zone_name)
    day = timezone.now().astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(day, start, tzinfo=zone)


@transaction.atomic
def seed_events(progress=None, **options) -> None:
    from network.events.models import Event, EventLink, EventStatus, Registration
    from network.events.services import registration_create
    from network.models import Country, Network

    networks = {network.slug: network for network in Network.objects.all()}
    users = {
        user.username: user
        for user in get_user_model().objects.filter(username__in=["admin", "instructor", "officer", "member"])
    }
    events = {}
    for spec in DEMO_EVENTS:
        network = networks.get(spec["network"])
        if network is None:
            continue
        starts_at = _starts(spec["days"], spec["start"], spec["time_zone"])
        venue_name, venue_address, venue_city, country_code = spec.get("venue", ("", "", "", None))
        event, _created = Event.objects.update_or_create(
            slug=spec["slug"],
            defaults={
                "network": network,
                "kind": spec["kind"],
                "language": spec["language"],
                "title": spec["title"],
                "description": spec["description"],
                "starts_at": starts_at,
                "ends_at": starts_at + timedelta(hours=spec["hours"]),
                "time_zone": spec["time_zone"],
                "is_online": "venue" not in spec,
                "online_url": spec.get("online_url", ""),
                "venue_name": venue_name,
                "venue_address": venue_address,
                "venue_city": venue_city,
                "country": Country.objects.filter(code=country_code).first() if country_code else None,
                "capacity": spec["capacity"],
                "is_public": spec["is_public"],
                "status": EventStatus.PUBLISHED,
                "created_by": users.get("admin"),
            },
        )
        for order, (label, url, kind, members_only) in enumerate(spec.get("links", [])):
            EventLink.objects.update_or_create(
                event=event,
                url=url,
                defaults={"label": label, "kind": kind, "members_only": members_only, "sort_order": order},
            )
        events[event.slug] = event
        if progress:
            progress(1)

    for slug, usernames in DEMO_REGISTRATIONS.items():
        event = events.get(slug)
        for username in usernames:
            if event is not None and username in users:
                registration_create(event=event, user=users[username])
                if progress:
                    progress(1)

    for slug, rows in DEMO_PAST_REGISTRATIONS.items():
        event = events.get(slug)
        for username, attended in rows:
            if event is not None and username in users:
                Registration.objects.update_or_create(
                    event=event,
                    user=users[username],
                    defaults={
                        "status": "registered",
                        "created_at": event.starts_at - timedelta(days=10),
                        "attended": attended,
                        "reminder_sent_at": event.starts_at - timedelta(hours=20),
                    },
                )
                if progress:
                    progress(1)

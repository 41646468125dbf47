"""Demo chat (DEBUG only): a general room per network with a few days of conversation in
English, Spanish, Brazilian Portuguese and French, a topic room, a private working group,
a direct conversation between officer@ and member@, some reactions and one open report.

Idempotent: rooms are matched by slug and messages by a client_id derived from their room
and position, so a second run finds every row and changes nothing. Rows are written
directly (no rate limit, no notifications, nothing broadcast).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

SEED_NAMESPACE = uuid.UUID("6f0b8a52-3c1e-4d8e-9a57-2b1f0c9e4d21")
LIBRARY_LINK = "{library:manual-victim-assistance}"  # replaced by the page's address, if seeded

# slug, kind, network, name, description, owner
ROOMS = [
    (
        "general-prevention",
        "network",
        "prevention",
        "Prevention network: general",
        "Everyday questions and news of the Network for the Prevention of Violence and Crime.",
        "moderator",
    ),
    (
        "general-police",
        "network",
        "police",
        "Police network: general",
        "Everyday questions and news of the Network for Police Development and Professionalization.",
        "moderator",
    ),
    (
        "tourism-security",
        "topic",
        "prevention",
        "Tourism security plans",
        "Municipal tourism security plans: diagnosis, partners, indicators.",
        "moderator",
    ),
    (
        "witness-protection-group",
        "private",
        "prevention",
        "Witness protection working group",
        "Preparing the regional exchange on victim and witness protection.",
        "officer",
    ),
]

# Private-group members besides the owner: username → role.
GROUP_MEMBERS = {"witness-protection-group": {"moderator": "moderator", "member": "member"}}

CONVERSATIONS = {
    "general-prevention": [
        ("admin", "Welcome to the general room of the prevention network! Introduce yourselves here."),
        (
            "moderator",
            "¡Bienvenidos! Soy Marta, moderadora de la red. Recuerden no compartir datos personales.",
        ),
        ("member", "Hola a todos, soy Miguel, trabajo en prevención de la violencia juvenil."),
        ("officer", "Bonjour ! Olivier, je travaille sur la sécurité des quartiers en Haïti."),
        ("manager", "Olá! Mariana, gestora da rede. Qualquer dúvida sobre a adesão, me escrevam."),
        ("member", "¿Alguien tiene experiencia con planes de seguridad turística en municipios pequeños?"),
        ("officer", "Oui, @member : nous avons commencé par un diagnostic avec les hôteliers."),
        ("member", "¡Gracias @officer! ¿Cuánto tiempo les llevó el diagnóstico?"),
        ("officer", "Environ trois mois, avec une enquête auprès des commerçants."),
        ("admin", "The DPS activity sheets describe the tourism security programme in detail."),
        ("admin", LIBRARY_LINK),
        ("moderator", "Muy útil. También está la **guía de indicadores** en la biblioteca."),
        ("manager", "No Brasil usamos indicadores de percepção de segurança dos turistas."),
        ("member", "¿Esos indicadores se miden cada año?"),
        ("manager", "A cada seis meses, com uma pesquisa curta nos hotéis."),
        ("officer", "Chez nous, c'est annuel. Le plus difficile est d'avoir des données fiables."),
        ("moderator", "Recordatorio: el webinar de mitad de ejercicio es el jueves a las 15:00 UTC."),
        ("member", "¿Habrá grabación del webinar?"),
        ("moderator", "Sí, se publicará en la biblioteca con subtítulos en los cuatro idiomas."),
        ("admin", "Reminder: the needs assessment survey closes on Friday. Thank you to all who answered."),
        ("officer", "Merci ! Nous avons envoyé les réponses de notre ministère hier."),
        ("manager", "Se precisarem de ajuda com o questionário, estou disponível."),
        ("member", "Pregunta: ¿el ejercicio basado en escenarios dura 12 o 15 semanas?"),
        ("moderator", "Depende del país: entre 12 y 15 semanas, con un webinar a mitad de camino."),
        ("manager", "Call me on my personal phone +1 555 0100 about the survey, any time."),
        (
            "officer",
            "Quelqu'un a-t-il un modèle de protocole pour les victimes de violence basée sur le genre ?",
        ),
        ("member", "Tenemos uno de Guatemala, lo comparto en el foro de experiencias."),
        ("admin", "Good idea: the forum keeps it findable for everyone in the network."),
        ("officer", "Parfait, merci @member !"),
        ("member", "¡Buen fin de semana a todos!"),
    ],
    "general-police": [
        ("admin", "Welcome to the general room of the police network."),
        ("moderator", "¡Hola! Este espacio es para dudas sobre cursos, certificados y la red."),
        ("instructor", "Olá! Sou a Inês, instrutora do curso de gestão policial."),
        ("officer", "Bonjour, je suis inscrit au cours virtuel de gestion policière."),
        ("member", "Hola, yo también. ¿Cuántos módulos tiene?"),
        ("instructor", "São seis módulos, cada um com um questionário final."),
        ("officer", "Est-ce qu'il faut réussir tous les quiz pour le certificat ?"),
        ("instructor", "Sim, @officer: nota mínima de 70% em cada questionário."),
        ("member", "¿Y el curso presencial de un mes cuenta para la certificación?"),
        ("admin", "Yes: the on-site course counts as two modules of the certification in police management."),
        ("instructor", "As inscrições para o curso presencial abrem no próximo mês."),
        ("officer", "Combien de places pour le cours sur site ?"),
        ("admin", "340 places this year, spread over the member states."),
        ("member", "¿Hay becas para el viaje?"),
        ("moderator", "Algunos donantes cubren el viaje; la información estará en la página del curso."),
        ("instructor", "Lembrem-se de trazer o plano estratégico da sua instituição."),
        ("officer", "D'accord. Et la certification de qualité de l'institution, c'est aussi abordé ?"),
        ("instructor", "Sim, no módulo de gestão da qualidade."),
        ("member", "Terminé el módulo 2 😀"),
        ("officer", "Bravo @member !"),
        ("moderator", "Recordatorio: la universidad acredita el curso si completan los seis módulos."),
        ("admin", "The accreditation gives university credit: the certificate shows it."),
        ("member", "¿Cómo se verifica un certificado?"),
        ("admin", "Every certificate has a code; anyone can check it at /certificates/<code>/."),
        ("instructor", "Próxima sessão ao vivo: terça-feira, 14h (horário de Brasília)."),
        ("officer", "Je serai là. Merci Inês !"),
        ("member", "Yo también. ¿Se graba?"),
        ("instructor", "Sim, a gravação fica disponível no curso."),
        ("moderator", "¡Buen trabajo a todos con los cuestionarios!"),
        ("officer", "Bon courage pour le module 3 !"),
    ],
    "tourism-security": [
        ("moderator", "Room for municipal tourism security plans. Share your diagnosis tools here."),
        ("member", "Comparto nuestra encuesta a comerciantes: 12 preguntas, 10 minutos."),
        ("officer", "Très bien. Vous l'avez testée avec combien de commerces ?"),
        ("member", "Con 40 comercios del centro histórico."),
        ("manager", "Em Salvador a polícia turística participou das reuniões mensais."),
        ("officer", "C'est ce qui a tout changé chez nous aussi."),
    ],
    "witness-protection-group": [
        ("officer", "J'ai créé ce groupe pour préparer l'échange régional sur la protection des témoins."),
        (
            "moderator",
            "Gracias Olivier. Propongo tres sesiones: marco legal, reubicación, apoyo psicológico.",
        ),
        ("member", "Puedo presentar la experiencia de Guatemala sobre reubicación temporal."),
        ("officer", "Parfait. Je prépare un brouillon d'ordre du jour pour lundi."),
        ("moderator", "Ojo: nada de nombres de casos reales en este grupo."),
    ],
    "direct": [
        ("officer", "Salut Miguel, tu as le protocole de Guatemala dont tu parlais ?"),
        ("member", "¡Hola Olivier! Sí, te lo paso por el foro esta tarde."),
        ("officer", "Merci beaucoup !"),
        ("member", "De nada. ¿Nos vemos en el webinar del jueves?"),
    ],
}

# room, position in its conversation, who reacts, reaction
REACTIONS = [
    ("general-prevention", 0, "member", "like"),
    ("general-prevention", 0, "officer", "heart"),
    ("general-prevention", 6, "member", "thanks"),
    ("general-police", 18, "officer", "like"),
    ("general-police", 12, "member", "check"),
]
# room, position, reporter, reason, note
REPORT = (
    "general-prevention",
    24,
    "member",
    "confidential",
    "A personal phone number in an open room.",
)
UNREAD_FOR_MEMBER = 4  # member@ has the last few messages of each general room unread
SPREAD = timedelta(days=6)


def _people() -> dict:
    usernames = {"admin", "moderator", "instructor", "manager", "officer", "member"}
    return {user.username: user for user in get_user_model().objects.filter(username__in=usernames)}


def _library_link() -> str:
    from wagtail.models import Page

    page = Page.objects.live().public().filter(slug="manual-victim-assistance").first()
    url = page.url if page is not None else None
    if not url:
        return "The victims' assistance manual is in the library."
    return url if url.startswith("http") else f"{settings.SITE_URL}{url}"


def _room(spec, networks, people, direct_pair):
    from chat import services
    from chat.models import Room, RoomKind

    if spec == "direct":
        officer, member = direct_pair
        slug = services.direct_room_slug(officer, member)
        room, _created = Room.objects.get_or_create(
            slug=slug, defaults={"kind": RoomKind.DIRECT, "created_by": officer}
        )
        return room
    slug, kind, network_slug, name, description, owner = spec
    room, _created = Room.objects.update_or_create(
        slug=slug,
        defaults={
            "kind": kind,
            "network": networks[network_slug],
            "name": name,
            "description": description,
            "created_by": people.get(owner),
        },
    )
    return room


def _members(room, spec, people, direct_pair) -> list:
    """Who is in the room: the pair of a DM, a group's invited members, and for open rooms
    the demo accounts that belong to its network."""
    from chat import selectors
    from chat.models import RoomKind, RoomRole

    if room.kind == RoomKind.DIRECT:
        return [(user, RoomRole.MEMBER) for user in direct_pair]
    owner = people.get(spec[5])
    if room.kind == RoomKind.PRIVATE:
        invited = [
            (people[name], role) for name, role in GROUP_MEMBERS.get(room.slug, {}).items() if name in people
        ]
        return [(owner, RoomRole.OWNER), *invited]
    readers = [user for user in people.values() if selectors.can_read_room(user, room)]
    return [(user, RoomRole.OWNER if user == owner else RoomRole.MEMBER) for user in readers]


def _messages(room, lines, people, start) -> list:
    from chat import selectors
    from chat.models import Mention, Message
    from chat.rendering import render
    from chat.search_provider import search_text

    stored = []
    step = SPREAD / max(len(lines), 1)
    for position, (author_name, body) in enumerate(lines):
        author = people.get(author_name)
        if author is None:
            continue
        if body == LIBRARY_LINK:
            body = _library_link()
        client_id = uuid.uuid5(SEED_NAMESPACE, f"{room.slug}:{position}")
        message = Message.objects.filter(author=author, client_id=client_id).first()
        if message is None:
            rendered = render(body)
            created_at = start + step * position
            message = Message.objects.create(
                room=room,
                author=author,
                body=body,
                body_html=rendered.html,
                search_text=search_text(body),
                client_id=client_id,
                created_at=created_at,
            )
            for user in rendered.mentioned:
                if user != author and selectors.can_read_room(user, room):
                    Mention.objects.get_or_create(message=message, user=user)
        stored.append(message)
    return stored


def _refresh_room(room) -> None:
    from chat.models import Room

    totals = room.messages.aggregate(count=Count("pk"), last=Max("pk"))
    last = room.messages.order_by("-pk").first()
    Room.objects.filter(pk=room.pk).update(
        message_count=totals["count"],
        last_message_id=totals["last"] or 0,
        last_message_at=last.created_at if last else None,
    )


def _join(room, members) -> None:
    from chat.models import Membership

    for user, role in members:
        if user is not None:
            Membership.objects.get_or_create(room=room, user=user, defaults={"role": role})


def _reactions_and_report(stored: dict, people) -> None:
    from chat.models import Reaction, Report

    for slug, position, name, kind in REACTIONS:
        messages = stored.get(slug, [])
        if position < len(messages) and name in people:
            Reaction.objects.get_or_create(message=messages[position], user=people[name], kind=kind)
    slug, position, name, reason, note = REPORT
    messages = stored.get(slug, [])
    if position < len(messages) and name in people:
        Report.objects.get_or_create(
            message=messages[position],
            reporter=people[name],
            resolved_at=None,
            defaults={"reason": reason, "note": note},
        )


@transaction.atomic
def seed_chat(progress=None, **options) -> None:
    from network.models import Network

    networks = {network.slug: network for network in Network.objects.all()}
    people = _people()
    direct_pair = (people.get("officer"), people.get("member"))
    specs = [spec for spec in ROOMS if spec[2] in networks]
    if all(direct_pair):
        specs.append("direct")
    start = timezone.now() - SPREAD - timedelta(hours=1)
    stored = {}
    for spec in specs:
        room = _room(spec, networks, people, direct_pair)
        key = "direct" if spec == "direct" else room.slug
        members = _members(room, spec, people, direct_pair)
        # Members first: private rooms are readable (and mentionable) by their members only.
        _join(room, members)
        stored[key] = _messages(room, CONVERSATIONS[key], people, start)
        _join_positions(room, members, stored[key])
        _refresh_room(room)
        if progress:
            progress(1)
    _reactions_and_report(stored, people)


def _join_positions(room, members, messages) -> None:
    """Read positions of the memberships just created (older ones are left as they are)."""
    from chat.models import Membership

    if not messages:
        return
    last_id = messages[-1].pk
    for user, _role in members:
        if user is None:
            continue
        read = last_id
        if user.username == "member" and room.is_open and len(messages) > UNREAD_FOR_MEMBER:
            read = messages[-UNREAD_FOR_MEMBER - 1].pk
        Membership.objects.filter(room=room, user=user, last_read_id=0).update(last_read_id=read)

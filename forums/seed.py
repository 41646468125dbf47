"""Demo forums (DEBUG only): categories in both networks (one of them public), topics in
English, Spanish, Brazilian Portuguese and French with replies, mentions, reactions, a
question with an accepted answer and a flagged post.

Idempotent: categories are matched by slug, topics by category and title; a topic that
exists is left as it is. Rows are written directly (no rate limits, no notifications).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

CATEGORIES = [
    # slug, network, name, description, read access, post access, position
    (
        "experiencias-prevencion",
        "prevention",
        "Experiences and good practices",
        "Share what worked (and what did not) in preventing violence and crime in your community.",
        "members",
        "members",
        10,
    ),
    (
        "preguntas-abiertas",
        "prevention",
        "Open questions",
        "Questions anyone may read: tourism security, port security, victim and witness protection.",
        "public",
        "members",
        20,
    ),
    (
        "formacion-policial",
        "police",
        "Police training and careers",
        "Courses, certification in police management and on-site sessions.",
        "members",
        "members",
        10,
    ),
    (
        "avisos-red-policial",
        "police",
        "Network announcements",
        "News from the network's moderators.",
        "members",
        "moderators",
        5,
    ),
]

# category, author, language, kind, title, body, replies [(author, body, reactions [(user, kind)])]
TOPICS = [
    (
        "experiencias-prevencion",
        "member",
        "es",
        "discussion",
        "¿Cómo involucrar a la comunidad en un plan de seguridad turística?",
        "En nuestro municipio empezamos un plan de seguridad turística. ¿Qué les funcionó para "
        "que los comerciantes y las juntas vecinales participen desde el diagnóstico?",
        [
            (
                "officer",
                "Chez nous, les réunions mensuelles avec les hôteliers ont tout changé. "
                "@member, avez-vous une cartographie des incidents ?",
                [("member", "thanks"), ("manager", "like")],
            ),
            (
                "manager",
                "[quote=2]les réunions mensuelles avec les hôteliers ont tout changé[/quote]\n"
                "Concordo. Em Salvador usamos o mesmo formato, com a polícia turística presente.",
                [("officer", "agree")],
            ),
        ],
    ),
    (
        "preguntas-abiertas",
        "officer",
        "fr",
        "question",
        "Quels indicateurs pour évaluer la sécurité d'un port ?",
        "Nous préparons l'évaluation de la sécurité d'une installation portuaire selon le code ISPS. "
        "Quels indicateurs utilisez-vous pour mesurer les progrès après l'évaluation ?",
        [
            (
                "admin",
                "The DPS port security assessments track access-control incidents, drill frequency "
                "and the share of staff trained. See the programme sheets in the library.",
                [("officer", "insightful"), ("member", "like")],
            ),
            ("member", "Nosotros añadimos el tiempo de respuesta ante una alerta. @officer", []),
        ],
    ),
    (
        "preguntas-abiertas",
        "manager",
        "pt-br",
        "discussion",
        "Proteção de vítimas e testemunhas: experiências regionais",
        "Gostaria de conhecer programas de proteção de vítimas e testemunhas que funcionaram em "
        "municípios pequenos. Quais foram os maiores desafios?",
        [
            (
                "member",
                "En Guatemala el mayor desafío fue la reubicación temporal. @manager",
                [("manager", "thanks")],
            )
        ],
    ),
    (
        "formacion-policial",
        "instructor",
        "pt-br",
        "discussion",
        "Dicas para o curso presencial de gestão policial",
        "Para quem vai ao curso presencial de um mês: tragam o plano estratégico da sua instituição. "
        "Vamos trabalhar sobre casos reais.",
        [
            ("officer", "Merci ! Faut-il aussi apporter les indicateurs de qualité ?", []),
            (
                "instructor",
                "Sim, @officer: os indicadores ajudam muito no módulo de qualidade.",
                [("officer", "like")],
            ),
        ],
    ),
    (
        "formacion-policial",
        "member",
        "en",
        "discussion",
        "Which virtual courses count towards the police management certification?",
        "I finished two virtual courses. Do both count towards the certification in police management?",
        [("instructor", "Both do if you passed the final quiz, @member.", [("member", "thanks")])],
    ),
    (
        "avisos-red-policial",
        "moderator",
        "es",
        "discussion",
        "Normas del foro de la red policial",
        "Bienvenidos. Respeten la confidencialidad de los casos y no publiquen datos personales.",
        [],
    ),
]

ACCEPTED = ("Quels indicateurs pour évaluer la sécurité d'un port ?", 2)  # title, post number
FLAGGED = ("Proteção de vítimas e testemunhas: experiências regionais", 2)


def _users() -> dict:
    User = get_user_model()
    return {user.username: user for user in User.objects.filter(username__in=[
        "admin", "moderator", "instructor", "manager", "officer", "member"
    ])}  # fmt: skip


def _seed_topic(category, people, spec, start):
    from forums.models import Post, PostStatus, Reaction, Subscription, Topic, TopicReadState
    from forums.rendering import render_post
    from forums.services import _store_mentions, topic_refresh_counters

    _slug, author_name, language, kind, title, body, replies = spec
    if Topic.objects.filter(category=category, title=title).exists():
        return
    author = people.get(author_name)
    if author is None:
        return
    topic = Topic.objects.create(
        category=category,
        author=author,
        title=title,
        slug=slugify(title)[:200] or "topic",
        kind=kind,
        language=language,
        created_at=start,
        last_posted_at=start,
    )
    Subscription.objects.get_or_create(user=author, topic=topic)
    messages = [(author_name, body, [])] + list(replies)
    for number, (writer_name, text, reactions) in enumerate(messages, start=1):
        writer = people.get(writer_name)
        rendered = render_post(text, topic=topic)
        post = Post.objects.create(
            topic=topic,
            author=writer,
            number=number,
            body=text,
            body_html=rendered.html,
            status=PostStatus.PUBLISHED,
            created_at=start + timedelta(hours=3 * number),
        )
        _store_mentions(post, rendered.mentioned)
        for reactor_name, reaction in reactions:
            if reactor_name in people:
                Reaction.objects.get_or_create(post=post, user=people[reactor_name], kind=reaction)
        if writer is not None:
            TopicReadState.objects.update_or_create(
                topic=topic, user=writer, defaults={"last_read_number": number}
            )
    topic.last_post_number = len(messages)
    topic.save(update_fields=["last_post_number"])
    topic_refresh_counters(topic)
    if title == ACCEPTED[0]:
        topic.accepted_post = topic.posts.get(number=ACCEPTED[1])
        topic.save(update_fields=["accepted_post"])
    if title == FLAGGED[0]:
        from forums.moderation.models import Flag

        post = topic.posts.get(number=FLAGGED[1])
        if people.get("officer"):
            Flag.objects.get_or_create(
                post=post,
                reporter=people["officer"],
                status="open",
                defaults={
                    "reason": "confidential",
                    "note": "Mentions a relocation that may identify a witness.",
                },
            )


@transaction.atomic
def seed_forums(progress=None, **options) -> None:
    from forums.models import Category
    from forums.services import category_refresh_counters
    from network.models import Network

    networks = {network.slug: network for network in Network.objects.all()}
    people = _users()
    categories = {}
    for slug, network_slug, name, description, read, post, position in CATEGORIES:
        if network_slug not in networks:
            continue
        categories[slug], _created = Category.objects.update_or_create(
            slug=slug,
            defaults={
                "network": networks[network_slug],
                "name": name,
                "description": description,
                "read_access": read,
                "post_access": post,
                "position": position,
            },
        )
    start = timezone.now() - timedelta(days=len(TOPICS) + 1)
    for index, spec in enumerate(TOPICS):
        category = categories.get(spec[0])
        if category is not None:
            _seed_topic(category, people, spec, start + timedelta(days=index))
        if progress:
            progress(1)
    for category in categories.values():
        category_refresh_counters(category)

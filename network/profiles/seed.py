"""Demo profiles: the demo accounts, ~60 members across the member states, and with
`seed_demo --scale N` N more members in bulk (usernames scale-000001...) for benchmarks."""

from __future__ import annotations

import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from network.models import Country, Membership, MembershipStatus, Network, Topic

from .models import ContactPreference, Language, Profile, Visibility
from .services import search_document_for, search_vector_of, sort_name_for, store_search_vectors

SCALE_BATCH = 5000
SCALE_PREFIX = "scale-"

# Country code → the language its members' names, positions and bios are written in.
COUNTRY_LANGUAGE = {
    **dict.fromkeys(
        [
            "AR",
            "BO",
            "CL",
            "CO",
            "CR",
            "DO",
            "EC",
            "SV",
            "GT",
            "HN",
            "MX",
            "NI",
            "PA",
            "PY",
            "PE",
            "UY",
            "VE",
        ],
        "es",
    ),
    "BR": "pt",
    "HT": "fr",
    **dict.fromkeys(
        ["AG", "BS", "BB", "BZ", "CA", "DM", "GD", "GY", "JM", "KN", "LC", "VC", "SR", "TT", "US"], "en"
    ),
}
EXTRA_LANGUAGE = {"HT": "ht", "SR": "nl", "BO": "qu", "PE": "qu", "PY": "gn", "CA": "fr"}

FIRST_NAMES = {
    "es": [
        "María",
        "José",
        "Juan",
        "Ana",
        "Luis",
        "Carmen",
        "Carlos",
        "Laura",
        "Jorge",
        "Sofía",
        "Andrés",
        "Valentina",
        "Diego",
        "Camila",
        "Fernando",
        "Gabriela",
        "Ricardo",
        "Paola",
        "Héctor",
        "Lucía",
    ],
    "pt": [
        "João",
        "Ana",
        "Pedro",
        "Mariana",
        "Lucas",
        "Beatriz",
        "Rafael",
        "Juliana",
        "Gabriel",
        "Fernanda",
        "Thiago",
        "Camila",
    ],
    "en": [
        "James",
        "Mary",
        "Michael",
        "Patricia",
        "David",
        "Jennifer",
        "Andre",
        "Keisha",
        "Marlon",
        "Shanice",
        "Kevin",
        "Alicia",
    ],
    "fr": [
        "Jean",
        "Marie",
        "Pierre",
        "Nadège",
        "Jacques",
        "Claudette",
        "Wilner",
        "Fabienne",
        "Réginald",
        "Sophie",
    ],
}
SURNAMES = {
    "es": [
        "García",
        "Rodríguez",
        "Martínez",
        "López",
        "González",
        "Hernández",
        "Pérez",
        "Sánchez",
        "Ramírez",
        "Torres",
        "Flores",
        "Rivera",
        "Gómez",
        "Díaz",
        "Vargas",
        "Castillo",
        "Rojas",
        "Morales",
        "Ortiz",
        "Núñez",
    ],
    "pt": [
        "Silva",
        "Santos",
        "Oliveira",
        "Souza",
        "Pereira",
        "Costa",
        "Rodrigues",
        "Almeida",
        "Nascimento",
        "Lima",
        "Araújo",
        "Ribeiro",
    ],
    "en": [
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Campbell",
        "Thompson",
        "Charles",
        "Joseph",
        "Baptiste",
        "Clarke",
        "Francis",
        "Edwards",
    ],
    "fr": [
        "Joseph",
        "Pierre",
        "Jean-Baptiste",
        "Louis",
        "Charles",
        "Dorvil",
        "Étienne",
        "Desrosiers",
        "Lafleur",
        "Tremblay",
    ],
}
POSITIONS = {
    "es": [
        "Comisario",
        "Analista de seguridad ciudadana",
        "Coordinadora de prevención del delito",
        "Subintendente",
        "Investigadora",
        "Director de planificación",
        "Instructor de la academia de policía",
        "Asesora del viceministerio de seguridad",
    ],
    "pt": [
        "Delegada de polícia",
        "Analista de segurança pública",
        "Coordenador de prevenção",
        "Pesquisadora",
        "Instrutor da academia de polícia",
        "Gestora de projetos",
    ],
    "en": [
        "Superintendent",
        "Crime analyst",
        "Community safety officer",
        "Researcher",
        "Programme manager",
        "Training coordinator",
        "Policy adviser",
    ],
    "fr": [
        "Commissaire",
        "Inspectrice",
        "Analyste en sécurité publique",
        "Chargé de prévention",
        "Formatrice à l'académie de police",
        "Chercheur",
    ],
}
BIOS = {
    "es": "Trabajo en {topic} desde hace {years} años. Me interesa intercambiar experiencias con colegas "
    "de la región.",
    "pt": "Trabalho com {topic} há {years} anos. Quero trocar experiências com colegas da região.",
    "en": "I have worked on {topic} for {years} years and I am keen to exchange experience with colleagues "
    "across the region.",
    "fr": "Je travaille sur {topic} depuis {years} ans et je souhaite échanger avec des collègues "
    "de la région.",
}
INSTITUTION_PATTERNS = {
    "es": "Ministerio de Seguridad de {country}",
    "pt": "Secretaria de Segurança Pública ({country})",
    "en": "{country} Police Service",
    "fr": "Police nationale ({country})",
}

# username: country, position, topics, languages, bio, visibility changes, contact preference
DEMO_PROFILES = {
    "admin": (
        "US",
        "Programme officer, Department of Public Security",
        ["crime-statistics", "police-management"],
        ["en", "es"],
        "I coordinate the two networks for the DPS team: write to me about events, courses and publications.",
        {"email_visibility": Visibility.MEMBERS},
        ContactPreference.EMAIL,
    ),
    "moderator": (
        "CO",
        "Coordinadora de prevención comunitaria",
        ["community-policing", "youth-violence-prevention"],
        ["es", "en"],
        "Modero los foros de la red.\n"
        "Trabajo con alcaldías en programas de prevención de la violencia juvenil.",
        {},
        ContactPreference.MESSAGE,
    ),
    "instructor": (
        "BR",
        "Instrutora de formação policial",
        ["police-training", "human-rights-policing"],
        ["pt", "es"],
        "Dou cursos virtuais e presenciais sobre direitos humanos na atividade policial.",
        {},
        ContactPreference.MESSAGE,
    ),
    "manager": (
        "BR",
        "Gestora das redes",
        ["police-management", "crime-statistics"],
        ["pt", "en", "es"],
        "Reviso as candidaturas às redes e acompanho os programas de certificação.",
        {"email_visibility": Visibility.MEMBERS},
        ContactPreference.EMAIL,
    ),
    "officer": (
        "HT",
        "Inspecteur, Police nationale d'Haïti",
        ["community-policing", "victim-protection"],
        ["fr", "ht", "en"],
        "Je suis les cours de la certification en gestion policière.",
        {"country_visibility": Visibility.MEMBERS},
        ContactPreference.MESSAGE,
    ),
    "member": (
        "MX",
        "Analista de seguridad ciudadana",
        ["crime-statistics", "cybercrime"],
        ["es", "en"],
        "Analizo datos delictivos para programas municipales de prevención.",
        {"bio_visibility": Visibility.NOBODY},
        ContactPreference.MESSAGE,
    ),
}
DEMO_MEMBER_COUNT = 60


def _name(rng: random.Random, language: str) -> str:
    key = language if language in FIRST_NAMES else "en"
    return f"{rng.choice(FIRST_NAMES[key])} {rng.choice(SURNAMES[key])}"


def _networks() -> dict[str, Network]:
    return {network.slug: network for network in Network.objects.filter(slug__in=["prevention", "police"])}


def _with_search(profile: Profile, user, topics) -> Profile:
    profile.sort_name = sort_name_for(user)
    profile.search_document = search_document_for(profile, user=user, topics=topics)
    return profile


@transaction.atomic
def seed_profiles(progress=None, **options) -> None:
    """Profiles of the demo accounts and of DEMO_MEMBER_COUNT demo members (idempotent)."""
    User = get_user_model()
    countries = {country.code: country for country in Country.objects.all()}
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    languages = {language.code: language for language in Language.objects.all()}
    networks = _networks()

    for username, (code, position, slugs, codes, bio, visibility, contact) in DEMO_PROFILES.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        _save_demo_profile(
            user,
            country=countries.get(code),
            position=position,
            topics=[topics[slug] for slug in slugs if slug in topics],
            languages=[languages[c] for c in codes if c in languages],
            bio=bio,
            contact=contact,
            **visibility,
        )
        if progress:
            progress(1)

    rng = random.Random(2026)  # noqa: S311 (demo data, not security)
    codes = sorted(countries)
    for index in range(1, DEMO_MEMBER_COUNT + 1):
        code = codes[(index - 1) % len(codes)]
        language = COUNTRY_LANGUAGE.get(code, "en")
        name = _name(rng, language)
        username = f"demo-{index:02d}"
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.org",
                "display_name": name,
                "language": {"pt": "pt-br"}.get(language, language if language in ("es", "fr") else "en"),
                "password": "!demo-member-without-password",  # noqa: S106 (unusable: starts with "!")
            },
        )
        slugs = [["prevention", "police"], ["prevention"], ["police"]][index % 3]
        for slug in slugs:
            if slug in networks:
                Membership.objects.get_or_create(
                    user=user, network=networks[slug], defaults={"status": MembershipStatus.ACTIVE}
                )
        picked_topics = rng.sample(list(topics.values()), k=min(len(topics), rng.randint(1, 3)))
        spoken = [
            languages[c] for c in dict.fromkeys([language, EXTRA_LANGUAGE.get(code, "en")]) if c in languages
        ]
        position = rng.choice(POSITIONS[language])
        bio = BIOS[language].format(
            topic=getattr(picked_topics[0], f"name_{language}").lower(), years=rng.randint(2, 25)
        )
        visibility = {}
        if index % 7 == 0:
            visibility["country_visibility"] = Visibility.NOBODY
        if index % 11 == 0:
            visibility["position_visibility"] = Visibility.NOBODY
        contact = ContactPreference.EMAIL if index % 4 == 0 else ContactPreference.MESSAGE
        if contact == ContactPreference.EMAIL:
            visibility["email_visibility"] = Visibility.MEMBERS
        _save_demo_profile(
            user,
            country=countries[code],
            position=position,
            topics=picked_topics,
            languages=spoken,
            bio=bio,
            contact=contact,
            institution_name_other=INSTITUTION_PATTERNS[language].format(country=countries[code].name_en),
            **visibility,
        )
        if progress:
            progress(1)


def _save_demo_profile(user, *, country, position, topics, languages, bio, contact, **fields) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    profile.country = country
    profile.position = position
    profile.bio = bio
    profile.contact_preference = contact
    if profile.institution_id:
        fields.pop("institution_name_other", None)  # linked to a listed institution meanwhile
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.updated_at = timezone.now()
    profile.save()
    profile.expertise.set(topics)
    profile.languages_spoken.set(languages)
    _with_search(profile, user, topics)
    profile.save(update_fields=["sort_name", "search_document"])
    store_search_vectors([profile.pk])
    return profile


@transaction.atomic
def seed_profile_institutions(progress=None, **options) -> None:
    """Link the demo profiles to a seeded institution of their country, when there is one."""
    from network.institutions.models import Institution

    by_country = defaultdict(list)
    for institution in Institution.objects.order_by("name"):
        by_country[institution.country_id].append(institution)
    if not by_country:
        return
    demo = Profile.objects.filter(
        institution__isnull=True,
        user__username__in=[*DEMO_PROFILES, *(f"demo-{i:02d}" for i in range(1, 61))],
    ).select_related("user", "country")
    for profile in demo:
        choices = by_country.get(profile.country_id)
        if not choices:
            continue
        profile.institution = choices[profile.user_id % len(choices)]
        profile.institution_name_other = ""
        profile.search_document = search_document_for(profile, topics=list(profile.expertise.all()))
        profile.save(update_fields=["institution", "institution_name_other", "search_document"])
        store_search_vectors([profile.pk])
        if progress:
            progress(1)


# --- scale -----------------------------------------------------------------------------------


def seed_scale(progress=None, scale: int = 0, **options) -> None:
    """`scale` extra members (active users with unusable passwords, memberships, profiles with
    expertise and languages), in batches of SCALE_BATCH bulk inserts; members already there
    (by username) are skipped, so a second run adds only what is missing."""
    if not scale or scale <= 0:
        return
    User = get_user_model()
    networks = _networks()
    if len(networks) < 2:
        raise RuntimeError("seed the networks first (seed_demo runs them before this step)")
    from network.institutions.models import Institution

    countries = list(Country.objects.order_by("code"))
    topics = list(Topic.objects.all())
    languages = {language.code: language for language in Language.objects.all()}
    institutions = defaultdict(list)
    for institution in Institution.objects.all():
        institutions[institution.country_id].append(institution)
    existing = set(User.objects.filter(username__startswith=SCALE_PREFIX).values_list("username", flat=True))
    todo = [index for index in range(1, scale + 1) if f"{SCALE_PREFIX}{index:06d}" not in existing]
    if progress and scale - len(todo):
        progress(scale - len(todo))
    for start in range(0, len(todo), SCALE_BATCH):
        batch = todo[start : start + SCALE_BATCH]
        with transaction.atomic():
            _seed_scale_batch(batch, networks, countries, topics, languages, institutions)
        if progress:
            progress(len(batch))
    if todo and connection.vendor == "postgresql":
        # Fresh statistics, so the planner knows the tables are big (autovacuum may lag behind);
        # VACUUM also marks the pages all-visible for index-only scans (not possible in a transaction).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        with connection.cursor() as cursor:
            tables = (User, Membership, Profile, Profile.expertise.through, Profile.languages_spoken.through)
            for model in tables:
                cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")


def _seed_scale_batch(indexes, networks, countries, topics, languages, institutions) -> None:
    User = get_user_model()
    now = timezone.now()
    plans = []
    users = []
    for index in indexes:
        rng = random.Random(index)  # noqa: S311 (demo data; the same member on every run)
        country = countries[rng.randrange(len(countries))]
        language = COUNTRY_LANGUAGE.get(country.code, "en")
        # Names from every language's lists: a common surname is shared by ~1-2% of members.
        name_language = language if rng.random() < 0.7 else rng.choice(list(FIRST_NAMES))
        username = f"{SCALE_PREFIX}{index:06d}"
        users.append(
            User(
                username=username,
                email=f"{username}@example.org",
                display_name=_name(rng, name_language),
                language={"pt": "pt-br"}.get(language, language if language in ("es", "fr") else "en"),
                password="!scale-member-without-password",  # noqa: S106 (unusable: starts with "!")
                date_joined=now,
            )
        )
        plans.append((rng, country, language))
    User.objects.bulk_create(users, batch_size=1000)

    memberships = []
    profiles = []
    profile_topics = []
    profile_languages = []
    for user, (rng, country, language) in zip(users, plans, strict=True):
        roll = rng.random()
        slugs = ["prevention"] if roll < 0.45 else ["police"] if roll < 0.8 else ["prevention", "police"]
        memberships += [
            Membership(user=user, network=networks[slug], joined_at=now, changed_at=now) for slug in slugs
        ]
        picked = rng.sample(topics, k=rng.randint(1, 3))
        spoken = [
            languages[c]
            for c in dict.fromkeys([language, EXTRA_LANGUAGE.get(country.code, "en")])
            if c in languages
        ]
        at = institutions.get(country.code)
        institution = rng.choice(at) if at and rng.random() < 0.6 else None
        profile = Profile(
            user=user,
            country=country,
            institution=institution,
            institution_name_other=""
            if institution
            else INSTITUTION_PATTERNS.get(language, INSTITUTION_PATTERNS["en"]).format(
                country=country.name_en
            ),
            position=rng.choice(POSITIONS.get(language, POSITIONS["en"])),
            contact_preference=ContactPreference.MESSAGE,
            country_visibility=Visibility.NOBODY if rng.random() < 0.1 else Visibility.MEMBERS,
            expertise_visibility=Visibility.NOBODY if rng.random() < 0.05 else Visibility.MEMBERS,
            created_at=now,
            updated_at=now,
        )
        _with_search(profile, user, picked)
        if connection.vendor == "postgresql":
            # Computed in the INSERT: an UPDATE afterwards would leave a dead copy of every row.
            profile.search_vector = search_vector_of(profile.search_document)
        profiles.append(profile)
        profile_topics.append(picked)
        profile_languages.append(spoken)
    Membership.objects.bulk_create(memberships, batch_size=1000)
    Profile.objects.bulk_create(profiles, batch_size=1000)
    Profile.expertise.through.objects.bulk_create(
        [
            Profile.expertise.through(profile_id=profile.pk, topic_id=topic.pk)
            for profile, picked in zip(profiles, profile_topics, strict=True)
            for topic in picked
        ],
        batch_size=2000,
    )
    Profile.languages_spoken.through.objects.bulk_create(
        [
            Profile.languages_spoken.through(profile_id=profile.pk, language_id=language.pk)
            for profile, spoken in zip(profiles, profile_languages, strict=True)
            for language in spoken
        ],
        batch_size=2000,
    )

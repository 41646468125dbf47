"""Demo data of the network app: the accounts listed in the README (DEBUG only)."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from network.permissions import DPS_STAFF_GROUP, INSTRUCTORS_GROUP, MODERATORS_GROUP, PLATFORM_GROUPS

DEMO_PASSWORD = "puente-demo-2026"  # noqa: S105 (documented demo password, DEBUG only)
# A fixed TOTP secret for the demo staff accounts, so a tester can log in with the codes
# `manage.py demo_totp` prints. Never used outside the demo.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPPUENTEDEMOTWOKEY"  # noqa: S105

DEMO_ACCOUNTS = [
    # email, username, display name, language, groups, superuser
    ("admin@example.org", "admin", "Ana Admin", "en", [DPS_STAFF_GROUP], True),
    ("moderator@example.org", "moderator", "Marta Moderadora", "es", [MODERATORS_GROUP], False),
    ("instructor@example.org", "instructor", "Inês Instrutora", "pt-br", [INSTRUCTORS_GROUP], False),
    ("manager@example.org", "manager", "Mariana Gestora", "pt-br", [], False),
    ("officer@example.org", "officer", "Olivier Officier", "fr", [], False),
    ("member@example.org", "member", "Miguel Miembro", "es", [], False),
]


def _activate_demo_totp(user) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


@transaction.atomic
def seed_accounts(progress=None, **options) -> None:
    User = get_user_model()
    for name in PLATFORM_GROUPS:
        Group.objects.get_or_create(name=name)
    for email, username, display_name, language, groups, superuser in DEMO_ACCOUNTS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User(email=email, username=username)
            user.set_password(DEMO_PASSWORD)
        user.display_name = display_name
        user.language = language
        user.is_staff = superuser
        user.is_superuser = superuser
        user.save()
        user.groups.set(Group.objects.filter(name__in=groups))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if superuser or MODERATORS_GROUP in groups or username in ("manager", "moderator"):
            _activate_demo_totp(user)
        if progress:
            progress(1)


NETWORKS = [
    (
        "prevention",
        "Network for the Prevention of Violence and Crime",
        "Prevention network",
        "Officials, experts, academics and civil society organisations of the member states "
        "exchange experiences, best practices, publications, data, news, videos and blog posts "
        "on preventing violence and crime.",
    ),
    (
        "police",
        "Network for Police Development and Professionalization",
        "Police network",
        "Police institutions and officers of the member states work on professional police "
        "careers: virtual and on-site courses, certificates, university-accredited credit and "
        "the certification in police management.",
    ),
]

# username: {network slug: role}
DEMO_MEMBERSHIPS = {
    "manager": {"prevention": "manager", "police": "manager"},
    "moderator": {"prevention": "moderator", "police": "moderator"},
    "instructor": {"police": "instructor"},
    "officer": {"prevention": "member", "police": "member"},
    "member": {"prevention": "member", "police": "member"},
}


@transaction.atomic
def seed_networks(progress=None, **options) -> None:
    from network.membership import sync_manager_group
    from network.models import Membership, Network

    networks = {}
    for slug, name, short_name, description in NETWORKS:
        networks[slug], _created = Network.objects.update_or_create(
            slug=slug, defaults={"name": name, "short_name": short_name, "description": description}
        )
    User = get_user_model()
    for username, roles in DEMO_MEMBERSHIPS.items():
        user = User.objects.get(username=username)
        for slug, role in roles.items():
            Membership.objects.update_or_create(
                user=user, network=networks[slug], defaults={"role": role, "status": "active"}
            )
        sync_manager_group(user)
        if progress:
            progress(1)


DEMO_APPLICANTS = [
    # username, display name, language, network, institution, position, country, reason, status
    (
        "lucia.ramos",
        "Lucía Ramos",
        "es",
        "prevention",
        "Ministerio de Seguridad Pública de Costa Rica",
        "Analista de prevención",
        "CR",
        "Coordino el programa de prevención de la violencia juvenil en Limón.",
        "pending",
    ),
    (
        "joao.silva",
        "João Silva",
        "pt-br",
        "police",
        "Polícia Militar do Estado de São Paulo",
        "Capitão",
        "BR",
        "Responsável pela formação continuada de oficiais; quero participar dos cursos virtuais.",
        "pending",
    ),
    (
        "marie.joseph",
        "Marie Joseph",
        "fr",
        "prevention",
        "Police nationale d'Haïti",
        "Inspectrice",
        "HT",
        "Je travaille sur la protection des victimes de violence basée sur le genre.",
        "needs_info",
    ),
]


@transaction.atomic
def seed_applications(progress=None, **options) -> None:
    from network.models import Country, MembershipApplication, Network

    User = get_user_model()
    for username, name, language, slug, institution, position, country, reason, status in DEMO_APPLICANTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.org", "display_name": name, "language": language},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        network = Network.objects.get(slug=slug)
        MembershipApplication.objects.get_or_create(
            applicant=user,
            network=network,
            defaults={
                "institution_name": institution,
                "position": position,
                "country": Country.objects.get(code=country),
                "reason": reason,
                "status": status,
                "info_request": "Could you give us the name of your supervisor?"
                if status == "needs_info"
                else "",
            },
        )
        if progress:
            progress(1)

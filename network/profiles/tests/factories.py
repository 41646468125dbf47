import io

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from network.permissions import DPS_STAFF_GROUP
from network.profiles import services
from network.profiles.models import Language
from tests.factories import UserFactory


def make_profile(user, *, expertise=None, languages=None, photo=None, **values):
    """A profile saved through the service (so its search columns are what the site keeps)."""
    profile = services.profile_for(user)
    return services.profile_update(
        profile=profile,
        by=user,
        values=values,
        expertise=expertise,
        languages=languages,
        photo=photo,
    )


def show(profile, field: str, visible: bool = True):
    """Show a field to members of the member's networks, or hide it from everybody."""
    values = {f"{field}_visibility": "members" if visible else "nobody"}
    if field == "email" and not visible:
        values["contact_preference"] = "message"
    return services.profile_update(profile=profile, by=profile.user, values=values)


def language(code: str) -> Language:
    return Language.objects.get(code=code)


def staff_user(**fields):
    """DPS staff, with the two-factor authentication staff need to use the site."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    user = UserFactory(**fields)
    user.groups.add(Group.objects.get_or_create(name=DPS_STAFF_GROUP)[0])
    TOTP.activate(user, generate_totp_secret())
    return user


def image_bytes(fmt: str = "PNG", size=(800, 600), color=(200, 30, 30), exif=None, mode="RGB") -> bytes:
    buffer = io.BytesIO()
    image = Image.new(mode, size, color)
    options = {}
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "secret-software 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (4.0, 36.0, 0.0)}  # GPS info
    return exif

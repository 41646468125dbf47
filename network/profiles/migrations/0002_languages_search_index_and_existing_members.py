"""Languages members may speak; the GIN index of the search vector (PostgreSQL only: SQLite
searches the normalized text); an empty profile for every existing active member."""

import re
import unicodedata

from django.db import migrations

LANGUAGES = [
    # code, English, Spanish, Portuguese, French
    ("en", "English", "Inglés", "Inglês", "Anglais"),
    ("es", "Spanish", "Español", "Espanhol", "Espagnol"),
    ("pt", "Portuguese", "Portugués", "Português", "Portugais"),
    ("fr", "French", "Francés", "Francês", "Français"),
    ("ht", "Haitian Creole", "Criollo haitiano", "Crioulo haitiano", "Créole haïtien"),
    ("nl", "Dutch", "Neerlandés", "Neerlandês", "Néerlandais"),
    ("qu", "Quechua", "Quechua", "Quíchua", "Quechua"),
    ("gn", "Guarani", "Guaraní", "Guarani", "Guarani"),
    ("ay", "Aymara", "Aimara", "Aimará", "Aymara"),
]

GIN_INDEX = "profiles_profile_search_gin"


def load_languages(apps, schema_editor):
    Language = apps.get_model("profiles", "Language")
    for order, (code, en, es, pt, fr) in enumerate(LANGUAGES):
        Language.objects.update_or_create(
            code=code, defaults={"name_en": en, "name_es": es, "name_pt": pt, "name_fr": fr, "order": order}
        )


def create_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON profiles_profile USING gin (search_vector)"
        )


def drop_search_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


_LETTERS = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "þ": "th"})


def _normalize(text):
    # The same folding as network.profiles.text.normalize (a migration must not import app code).
    decomposed = unicodedata.normalize("NFKD", str(text or "")).casefold().translate(_LETTERS)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(re.split(r"[^0-9a-z]+", without_marks)).strip()


def profiles_for_existing_members(apps, schema_editor):
    User = apps.get_model("network", "User")
    Profile = apps.get_model("profiles", "Profile")
    members = User.objects.filter(is_active=True, memberships__status="active", profile__isnull=True).distinct()
    batch = []
    for user in members.iterator(chunk_size=2000):
        name = user.display_name or f"{user.first_name} {user.last_name}".strip() or user.username
        normalized = _normalize(name)
        batch.append(Profile(user=user, sort_name=normalized[:150], search_document=normalized))
        if len(batch) == 2000:
            Profile.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Profile.objects.bulk_create(batch, ignore_conflicts=True)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE profiles_profile SET search_vector = strip(to_tsvector('simple', search_document)) "
            "WHERE search_vector IS NULL"
        )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [
        migrations.RunPython(load_languages, migrations.RunPython.noop),
        migrations.RunPython(create_search_index, drop_search_index),
        migrations.RunPython(profiles_for_existing_members, migrations.RunPython.noop),
    ]

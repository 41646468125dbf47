"""The content locales (es, pt-br, fr next to the default en) and the /library/ page."""

from django.db import migrations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def _next_child_path(Page, parent) -> str:
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("-path").first()
    )
    number = 0
    if last is not None:
        for char in last.path[-STEPLEN:]:
            number = number * len(ALPHABET) + ALPHABET.index(char)
    number += 1
    step = ""
    while number:
        number, digit = divmod(number, len(ALPHABET))
        step = ALPHABET[digit] + step
    return parent.path + step.rjust(STEPLEN, "0")


def forwards(apps, schema_editor):
    Locale = apps.get_model("wagtailcore", "Locale")
    Page = apps.get_model("wagtailcore", "Page")
    ContentType = apps.get_model("contenttypes", "ContentType")
    HomePage = apps.get_model("library", "HomePage")
    LibraryIndexPage = apps.get_model("library", "LibraryIndexPage")

    for code in ("en", "es", "pt-br", "fr"):
        Locale.objects.get_or_create(language_code=code)

    home = HomePage.objects.order_by("path").first()
    if home is None or Page.objects.filter(path__startswith=home.path, depth=home.depth + 1, slug="library").exists():
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="library", model="libraryindexpage")
    LibraryIndexPage.objects.create(
        title="Library",
        draft_title="Library",
        slug="library",
        content_type=content_type,
        path=_next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=home.url_path + "library/",
        locale_id=home.locale_id,
        live=True,
        intro="<p>Publications, best practices, news, videos and programmes of the networks.</p>",
    )
    Page.objects.filter(pk=home.pk).update(
        numchild=Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).count()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0003_libraryitem_libraryindexpage_articlepage_and_more"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

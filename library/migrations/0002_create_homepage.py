from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("library.HomePage")

    # Wagtail's own migrations leave a placeholder "Welcome" page at depth 2.
    Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore").delete()
    if HomePage.objects.exists():
        return
    content_type, _created = ContentType.objects.get_or_create(model="homepage", app_label="library")
    locale = Locale.objects.order_by("id").first()
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Puente",
        draft_title="Puente",
        slug="home",
        content_type=content_type,
        path=root.path + "0001" if not Page.objects.filter(depth=2).exists() else root.path + "0002",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        intro=(
            "<p>The meeting place of the Inter-American networks for the prevention of violence "
            "and crime and for police development and professionalization.</p>"
        ),
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", root_page_id=home.id, is_default_site=True, site_name="Puente")


def remove_homepage(apps, schema_editor):
    apps.get_model("library.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]

from django.db import migrations, models


def fill_search_text(apps, schema_editor):
    from network.search import normalise

    Message = apps.get_model("chat", "Message")
    for message in Message.objects.filter(deleted_at=None).only("pk", "body").iterator(chunk_size=2000):
        Message.objects.filter(pk=message.pk).update(search_text=normalise(message.body))


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]

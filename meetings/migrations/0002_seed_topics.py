from django.db import migrations

from meetings.topics import SEEDED_TOPICS


def seed_topics(apps, schema_editor):
    Topic = apps.get_model("meetings", "Topic")
    for name, description in SEEDED_TOPICS:
        Topic.objects.get_or_create(name=name, defaults={"description": description})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(seed_topics, migrations.RunPython.noop)]

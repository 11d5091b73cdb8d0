"""Each circle gets the key of its commitment text, and each membership the key of the text its
member agreed to (circles.models.key_of_commitment, which Circle.is_commitment compares): with
them the health figures count, in SQL, the members who agreed to a text the circle has changed
since, as the circle page does in Python. The history rows are left without a key."""

from django.db import migrations

from circles.models import key_of_commitment

BATCH = 1000


def _fill(queryset, text_field: str, key_field: str) -> None:
    keys = {}  # by text: many members agreed to the same one
    rows = []
    for row in queryset.only(text_field).order_by("pk").iterator(chunk_size=BATCH):
        text = getattr(row, text_field)
        if text not in keys:
            keys[text] = key_of_commitment(text)
        setattr(row, key_field, keys[text])
        rows.append(row)
    queryset.model.objects.bulk_update(rows, [key_field], batch_size=BATCH)


def fill_keys(apps, schema_editor):
    Circle = apps.get_model("circles", "Circle")
    Membership = apps.get_model("circles", "Membership")
    _fill(Circle.objects.all(), "commitment_text", "commitment_key")
    _fill(
        Membership.objects.exclude(commitment_agreed_text=""),
        "commitment_agreed_text",
        "commitment_agreed_key",
    )


class Migration(migrations.Migration):
    dependencies = [("circles", "0011_commitment_key")]

    operations = [migrations.RunPython(fill_keys, migrations.RunPython.noop)]

"""Memberships whose member agreed to the commitment before the text agreed to was kept get the
circle's text as it stands now: the best knowledge there is. The circle's text may have been
edited since they agreed, so for these rows it is what the circle asks today, not necessarily
what the member read; and a standard text is kept in the language the circle holds it in, not
the one the member read it in (the circle page still tells it apart from a changed text). The
history rows are left as they were: what earlier versions agreed to is not known."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_agreed_text(apps, schema_editor):
    Circle = apps.get_model("circles", "Circle")
    Membership = apps.get_model("circles", "Membership")
    # One UPDATE, however many memberships.
    circle_text = Circle.objects.filter(pk=OuterRef("circle_id")).values("commitment_text")[:1]
    Membership.objects.filter(committed_on__isnull=False, commitment_agreed_text="").update(
        commitment_agreed_text=Subquery(circle_text)
    )


class Migration(migrations.Migration):
    dependencies = [("circles", "0009_membership_commitment_agreed_text")]

    operations = [migrations.RunPython(fill_agreed_text, migrations.RunPython.noop)]

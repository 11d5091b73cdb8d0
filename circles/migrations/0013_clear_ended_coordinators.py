"""Memberships ended before Membership.end took the role away still say they coordinate: the
admin's list filtered on coordinators counts them, and ticking the box on their row looks like
a role they hold. They no longer coordinate. One UPDATE; the history rows are left as they
were, as what each version said then."""

from django.db import migrations


def clear_ended_coordinators(apps, schema_editor):
    Membership = apps.get_model("circles", "Membership")
    Membership.objects.filter(left_on__isnull=False, is_coordinator=True).update(
        is_coordinator=False
    )


class Migration(migrations.Migration):
    dependencies = [("circles", "0012_fill_commitment_keys")]

    operations = [migrations.RunPython(clear_ended_coordinators, migrations.RunPython.noop)]

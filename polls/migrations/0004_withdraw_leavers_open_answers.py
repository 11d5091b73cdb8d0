"""Members who left a circle before leaving withdrew their answers to its open date polls
(circles.services.membership_end) still count in those polls' tally, in who can come and in the
date that suits most, until the polls close. Their answers to open polls of circles they are no
longer in are withdrawn now, as leaving does since; answers to closed polls stay, their
history."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def withdraw_leavers_open_answers(apps, schema_editor):
    Membership = apps.get_model("circles", "Membership")
    PollAnswer = apps.get_model("polls", "PollAnswer")
    member = Membership.objects.filter(
        person=OuterRef("person"), circle=OuterRef("option__poll__circle"), left_on__isnull=True
    )
    PollAnswer.objects.filter(option__poll__closed_at__isnull=True).exclude(
        Exists(member)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0003_drop_covered_fk_indexes"),
        ("circles", "0014_membership_active_commitment_index"),
    ]

    operations = [migrations.RunPython(withdraw_leavers_open_answers, migrations.RunPython.noop)]

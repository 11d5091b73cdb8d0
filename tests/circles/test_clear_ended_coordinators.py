"""Migration 0013: memberships that ended before Membership.end took the role away no longer
coordinate."""

import importlib

from django.apps import apps
from django.utils import timezone

from circles.models import Membership

migration = importlib.import_module("circles.migrations.0013_clear_ended_coordinators")


def test_ended_memberships_lose_the_role_active_ones_keep_it(cast):
    today = timezone.localdate()
    Membership.objects.filter(person__username__in=["officer", "clerk"]).update(left_on=today)
    # The officer's ended as it did before Membership.end took the role away.
    Membership.objects.filter(person__username="officer").update(is_coordinator=True)

    migration.clear_ended_coordinators(apps, None)

    roles = dict(Membership.objects.values_list("person__username", "is_coordinator"))
    assert roles == {
        "coordinator": True,
        "officer": False,
        "clerk": False,
        "citizen": False,
        "outsider": True,
    }
    assert set(Membership.objects.exclude(left_on=None).values_list("left_on", flat=True)) == {
        today
    }

"""Migration 0010: memberships agreed to before the text was kept get the circle's text."""

import datetime
import importlib

from django.apps import apps

from circles.models import Membership

migration = importlib.import_module("circles.migrations.0010_fill_commitment_agreed_text")


def test_agreed_memberships_get_the_circles_current_text(circle, other_circle, cast):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    other_circle.commitment_text = "We meet in Tilburg."
    other_circle.save()
    for person in ("officer", "outsider"):
        cast[person].memberships.get().commit(today=datetime.date(2026, 2, 1))
    # As they were before the text was kept.
    Membership.objects.update(commitment_agreed_text="")

    migration.fill_agreed_text(apps, None)

    agreed = dict(Membership.objects.values_list("person__username", "commitment_agreed_text"))
    assert agreed == {
        "officer": "We eat together and keep in touch.",
        "outsider": "We meet in Tilburg.",
        "coordinator": "",
        "clerk": "",
        "citizen": "",
    }


def test_a_text_already_kept_is_left_alone(circle, citizen):
    citizen.memberships.get().commit(today=datetime.date(2026, 2, 1))
    Membership.objects.update(commitment_agreed_text="What the member read.")
    circle.commitment_text = "We eat together every month."
    circle.save()

    migration.fill_agreed_text(apps, None)

    assert citizen.memberships.get().commitment_agreed_text == "What the member read."

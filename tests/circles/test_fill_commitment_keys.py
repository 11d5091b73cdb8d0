"""Migration 0012: circles and memberships get the keys of their commitment texts, so that the
health figure counts whom the circle page counts as having agreed to an earlier text."""

import importlib

from django.apps import apps
from django.utils import translation

from circles.health import health_for_circles
from circles.models import DEFAULT_COMMITMENT, Circle, Membership

migration = importlib.import_module("circles.migrations.0012_fill_commitment_keys")


def test_existing_rows_get_the_keys_save_gives_them(circle, other_circle, cast):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    for person in ("coordinator", "officer"):
        cast[person].memberships.get().commit()
    # Agreed to in Dutch, in a circle that holds the standard text in English.
    with translation.override("nl"):
        cast["outsider"].memberships.get().commit()
    circle.commitment_text = "We eat together, keep in touch and bring a dessert."
    circle.save()
    cast["coordinator"].memberships.get().commit()
    keys = {
        "circles": dict(Circle.objects.values_list("name", "commitment_key")),
        "memberships": dict(
            Membership.objects.values_list("person__username", "commitment_agreed_key")
        ),
    }
    # As they were before the keys were kept.
    Circle.objects.update(commitment_key="")
    Membership.objects.update(commitment_agreed_key="")

    migration.fill_keys(apps, None)

    assert dict(Circle.objects.values_list("name", "commitment_key")) == keys["circles"]
    assert (
        dict(Membership.objects.values_list("person__username", "commitment_agreed_key"))
        == keys["memberships"]
    )
    assert keys["memberships"]["citizen"] == ""  # never agreed
    healths = health_for_circles([circle, other_circle])
    # The officer agreed to the earlier text, the clerk and the citizen never agreed.
    assert healths[circle.pk].members_without_commitment == 3
    assert healths[other_circle.pk].members_without_commitment == 0
    with translation.override("nl"):
        dutch = str(DEFAULT_COMMITMENT)
    assert cast["outsider"].memberships.get().commitment_agreed_text == dutch

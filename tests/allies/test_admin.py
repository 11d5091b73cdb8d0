"""Every admin page loads for an admin with the demo data, in a fixed number of queries."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from allies.models import User
from tests.conftest import KEY_PAGE_MAX_QUERIES, count_queries, make_meeting

MAX_QUERIES = 20
MODELS = sorted(
    (
        m
        for m in admin.site._registry
        if m._meta.app_label in {"allies", "circles", "meetings", "actions"}
    ),
    key=lambda m: m._meta.label,
)


@pytest.fixture
def admin_client_with_demo(client, db):
    call_command("seed_demo")
    call_command("seed_demo", circles=2)
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_admin_pages_load_within_a_fixed_query_count(admin_client_with_demo, model):
    info = model._meta.app_label, model._meta.model_name
    some = model.objects.order_by("pk").last()
    for url in (
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_add".format(*info)),
        reverse("admin:{}_{}_change".format(*info), args=[some.pk]),
    ):
        assert count_queries(admin_client_with_demo, url) <= MAX_QUERIES, url


def test_every_model_is_in_admin():
    expected = {
        "User",
        "Circle",
        "Membership",
        "Topic",
        "Meeting",
        "AgendaItem",
        "Response",
        "Attendance",
        "Action",
        "ActionUpdate",
    }
    assert expected <= {m.__name__ for m in MODELS}


def test_changelist_shows_the_rows(admin_client_with_demo):
    html = admin_client_with_demo.get(reverse("admin:meetings_meeting_changelist")).content
    assert b"Overvecht Allies" in html


def test_meeting_changelist_query_count_does_not_grow(client, circle, admin_user):
    client.force_login(admin_user)
    for n in range(3):
        make_meeting(circle, days_ahead=n)
    few = count_queries(client, reverse("admin:meetings_meeting_changelist"))
    for n in range(57):
        make_meeting(circle, days_ahead=10 + n)
    assert count_queries(client, reverse("admin:meetings_meeting_changelist")) == few
    assert few <= KEY_PAGE_MAX_QUERIES

"""Every admin page loads for an admin with the demo data, in a fixed number of queries."""

import datetime

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from allies.admin_utils import EstimatedCountPaginator
from allies.models import User
from meetings.models import Meeting
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


def _meeting_at(circle, local: datetime.datetime):
    starts = timezone.make_aware(local)
    return Meeting.objects.create(
        circle=circle, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )


@pytest.fixture
def new_years_eve(circle):
    """Two meetings half an hour either side of midnight on New Year's Eve, local time (on
    either side of the year in Amsterdam, in the same year in UTC), and one two years earlier."""
    return {
        "old": _meeting_at(circle, datetime.datetime(2024, 3, 1, 19)),
        "late": _meeting_at(circle, datetime.datetime(2026, 12, 31, 23, 30)),
        "early": _meeting_at(circle, datetime.datetime(2027, 1, 1, 0, 30)),
    }


def test_the_meeting_list_is_filtered_by_local_year(client, admin_user, new_years_eve):
    client.force_login(admin_user)
    changelist = reverse("admin:meetings_meeting_changelist")
    response = client.get(changelist)
    years = [title for title, _ in response.context["cl"].filter_specs[0].lookup_choices]
    assert years == ["2027", "2026", "2025", "2024"]  # newest first, none missing
    shown = client.get(changelist, {"year": "2026"}).context["cl"].result_list
    assert list(shown) == [new_years_eve["late"]]
    shown = client.get(changelist, {"year": "2027"}).context["cl"].result_list
    assert list(shown) == [new_years_eve["early"]]


@pytest.mark.parametrize("year", ["20x6", "0", "-1", "99999"])
def test_a_malformed_year_is_refused_without_an_error(client, admin_user, new_years_eve, year):
    client.force_login(admin_user)
    changelist = reverse("admin:meetings_meeting_changelist")
    response = client.get(changelist, {"year": year})
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_the_latest_meetings_come_first(client, admin_user, new_years_eve):
    client.force_login(admin_user)
    shown = client.get(reverse("admin:meetings_meeting_changelist")).context["cl"].result_list
    assert list(shown) == [new_years_eve[key] for key in ("early", "late", "old")]


def _counted(queryset, monkeypatch, estimate_from):
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", estimate_from)
    with CaptureQueriesContext(connection) as queries:
        count = EstimatedCountPaginator(queryset, 100).count
    return count, [query["sql"] for query in queries.captured_queries]


def test_a_small_table_or_a_filtered_list_is_counted_exactly(circle, monkeypatch):
    for n in range(3):
        make_meeting(circle, days_ahead=n)
    count, sql = _counted(Meeting.objects.all(), monkeypatch, estimate_from=10_000)
    assert count == 3 and len(sql) == 1 and "COUNT(" in sql[0]
    filtered = Meeting.objects.filter(starts_at__gte=timezone.now() + datetime.timedelta(hours=12))
    assert _counted(filtered, monkeypatch, estimate_from=0)[0] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the estimate is PostgreSQL's")
def test_a_large_table_on_postgresql_takes_the_planners_estimate(circle, monkeypatch):
    for n in range(3):
        make_meeting(circle, days_ahead=n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_meeting")
    count, sql = _counted(Meeting.objects.all(), monkeypatch, estimate_from=1)
    assert count == 3  # ANALYZE of a small table reads every row: the estimate is exact
    assert len(sql) == 1
    # The count of the whole table is asked only for a table under the threshold.
    assert "CASE WHEN reltuples >=" in sql[0]


def test_actions_are_filtered_by_the_year_they_are_due(client, admin_user, circle):
    due = {
        year: Action.objects.create(
            circle=circle, title=f"Due {year}", due_date=datetime.date(year, 12, 31)
        )
        for year in (2025, 2027)
    }
    Action.objects.create(circle=circle, title="No date")
    client.force_login(admin_user)
    changelist = reverse("admin:actions_action_changelist")
    response = client.get(changelist)
    years = [title for title, _ in response.context["cl"].filter_specs[0].lookup_choices]
    assert years == ["2027", "2026", "2025"]  # the action without a date adds no year
    shown = client.get(changelist, {"year": "2027"}).context["cl"].result_list
    assert list(shown) == [due[2027]]

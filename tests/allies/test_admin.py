"""Every admin page loads for an admin with the demo data, in a fixed number of queries."""

import datetime
import re

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from allies.admin_utils import EstimatedCountPaginator
from allies.models import User
from meetings.admin import MeetingAdmin
from meetings.models import Meeting
from polls.models import PollAnswer
from tests.allies.test_profile import data
from tests.conftest import (
    KEY_PAGE_MAX_QUERIES,
    count_queries,
    email_change_link_token,
    make_meeting,
)

MAX_QUERIES = 20
MODELS = sorted(
    (
        m
        for m in admin.site._registry
        if m._meta.app_label in {"allies", "circles", "meetings", "actions", "polls"}
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
    urls = [
        reverse("admin:{}_{}_changelist".format(*info)),
        reverse("admin:{}_{}_change".format(*info), args=[some.pk]),
    ]
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="admin")
    if admin.site._registry[model].has_add_permission(request):  # not for read-only lists
        urls.append(reverse("admin:{}_{}_add".format(*info)))
    for url in urls:
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


def test_an_actions_page_takes_as_many_queries_with_many_updates(client, circle, admin_user):
    """Each update row is named after its action: once per row, it grew with the updates."""
    client.force_login(admin_user)
    action = Action.objects.create(circle=circle, title="Ask for street lights")
    url = reverse("admin:actions_action_change", args=[action.pk])
    ActionUpdate.objects.create(action=action, text="Asked.")
    count_queries(client, url)  # the first fills caches (content types)
    few = count_queries(client, url)
    for n in range(6):
        ActionUpdate.objects.create(action=action, text=f"Asked again, {n}.")
    assert count_queries(client, url) == few


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
    assert years == ["2027", "2026", "2024"]  # newest first, only years with meetings
    shown = client.get(changelist, {"year": "2026"}).context["cl"].result_list
    assert list(shown) == [new_years_eve["late"]]
    shown = client.get(changelist, {"year": "2027"}).context["cl"].result_list
    assert list(shown) == [new_years_eve["early"]]


def test_a_date_typed_centuries_off_is_listed_as_its_year(client, admin_user, circle):
    """More years lie between than one query asks about; a year no link can name (before
    1900) is left out."""
    for year in (1850, 2026, 4026):
        _meeting_at(circle, datetime.datetime(year, 5, 7, 18, 30))
    client.force_login(admin_user)
    response = client.get(reverse("admin:meetings_meeting_changelist"))
    years = [title for title, _ in response.context["cl"].filter_specs[0].lookup_choices]
    assert years == ["4026", "2026"]


@pytest.mark.parametrize("year", ["20x6", "0", "1", "-1", "99999", "²"])
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


def _counted(queryset, monkeypatch, estimate_from, per_page=100, page_number=1):
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", estimate_from)
    paginator = EstimatedCountPaginator(queryset, per_page, page_number=page_number)
    with CaptureQueriesContext(connection) as queries:
        count = paginator.count
    return count, paginator.estimated, [query["sql"] for query in queries.captured_queries]


def test_a_small_table_or_a_filtered_list_is_counted_exactly(circle, monkeypatch):
    for n in range(3):
        make_meeting(circle, days_ahead=n)
    count, estimated, sql = _counted(Meeting.objects.all(), monkeypatch, estimate_from=10_000)
    assert (count, estimated, len(sql)) == (3, False, 1)
    filtered = Meeting.objects.filter(starts_at__gte=timezone.now() + datetime.timedelta(hours=12))
    assert _counted(filtered, monkeypatch, estimate_from=0, per_page=1)[:2] == (2, False)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the estimate is PostgreSQL's"
)


@pytest.fixture
def analysed_then_grown(circle):
    """Ten meetings when the planner last looked (ANALYZE), twenty now."""
    for n in range(10):
        make_meeting(circle, days_ahead=n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE meetings_meeting")
    for n in range(10, 20):
        make_meeting(circle, days_ahead=n)


@postgresql_only
def test_a_large_table_on_postgresql_takes_the_planners_estimate(analysed_then_grown, monkeypatch):
    count, estimated, sql = _counted(Meeting.objects.all(), monkeypatch, 1, per_page=2)
    assert (count, estimated, len(sql)) == (10, True, 1)  # the planner's figure, not a count


@postgresql_only
def test_the_last_tenth_of_the_estimate_is_counted_so_no_row_is_out_of_reach(
    analysed_then_grown, monkeypatch
):
    # Page 5 of 2 rows ends at row 10, past nine tenths of the estimate of 10: count.
    count, estimated, _ = _counted(Meeting.objects.all(), monkeypatch, 1, 2, page_number=5)
    assert (count, estimated) == (20, False)
    assert _counted(Meeting.objects.all(), monkeypatch, 1, 2, page_number=4)[:2] == (10, True)


@postgresql_only
def test_the_list_says_about_before_an_estimated_total(
    client, admin_user, analysed_then_grown, monkeypatch
):
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_FROM", 1)
    monkeypatch.setattr(MeetingAdmin, "list_per_page", 2)
    client.force_login(admin_user)
    changelist = reverse("admin:meetings_meeting_changelist")
    assert "about 10 meetings" in client.get(changelist).content.decode()
    last = client.get(changelist, {"p": "5"}).content.decode()
    assert "20 meetings" in last and "about" not in last


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
    assert years == ["2027", "2025"]  # none due in 2026; the action without a date adds none
    shown = client.get(changelist, {"year": "2027"}).context["cl"].result_list
    assert list(shown) == [due[2027]]


def _filter_choices(client, model) -> dict[str, int]:
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    changelist = client.get(url).context["cl"]
    return {spec.title: len(list(spec.choices(changelist))) for spec in changelist.filter_specs}


def test_no_admin_list_offers_more_filter_choices_as_circles_are_added(admin_client_with_demo):
    """A filter whose links grow with the country (one per municipality, circle or person)
    is 350 links at national size: the search is the way to find those."""
    models = sorted(admin.site._registry, key=lambda m: m._meta.label)
    before = {model: _filter_choices(admin_client_with_demo, model) for model in models}
    call_command("seed_demo", circles=5)  # three more circles, each in a new municipality
    after = {model: _filter_choices(admin_client_with_demo, model) for model in models}
    assert after == before


@pytest.mark.parametrize("model", [ActionUpdate, PollAnswer], ids=lambda m: m.__name__)
def test_the_lists_of_updates_and_poll_answers_show_the_latest_first(admin_client_with_demo, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    shown = list(admin_client_with_demo.get(url).context["cl"].result_list)
    latest = model.objects.order_by("-created_at" if model is ActionUpdate else "-pk")
    assert shown == list(latest[: len(shown)])
    assert len(shown) > 1


def test_the_updates_are_filtered_by_the_year_they_were_written(client, admin_user, circle):
    action = Action.objects.create(circle=circle, title="Lighting")
    # Half past midnight on New Year's Day in Amsterdam is still the old year in UTC.
    for year, local in (
        (2024, datetime.datetime(2024, 6, 1, 12)),
        (2025, datetime.datetime(2025, 1, 1, 0, 30)),
    ):
        written = timezone.make_aware(local)
        ActionUpdate.objects.create(action=action, text=f"In {year}", created_at=written)
    client.force_login(admin_user)
    changelist = reverse("admin:actions_actionupdate_changelist")
    response = client.get(changelist, {"year": "2025"})
    assert [u.text for u in response.context["cl"].result_list] == ["In 2025"]
    years = response.context["cl"].filter_specs[0].lookup_choices
    assert [title for title, _ in years] == ["2025", "2024"]


def test_an_updates_page_names_the_owners_it_changed_without_listing_everyone(
    client, admin_user, circle, cast
):
    update = ActionUpdate.objects.create(
        action=Action.objects.create(circle=circle, title="Lighting"), author=cast["coordinator"]
    )
    update.owners_added.set([cast["officer"]])
    update.owners_removed.set([cast["citizen"], cast["clerk"]])
    client.force_login(admin_user)
    html = client.get(reverse("admin:actions_actionupdate_change", args=[update.pk])).content
    # Searched for, not picked from every person of the installation.
    offered = {
        name: re.findall(r"<option [^>]*>([^<]*)</option>", select)
        for name, select in re.findall(
            r'<select name="(owners_\w+)"(.*?)</select>', html.decode(), re.S
        )
    }
    assert offered == {"owners_added": ["Officer"], "owners_removed": ["Citizen", "Clerk"]}


def test_the_commitment_agreed_to_is_shown_but_not_edited(client, admin_user, circle, citizen):
    membership = citizen.memberships.get()
    membership.commit()
    client.force_login(admin_user)
    html = client.get(reverse("admin:circles_membership_change", args=[membership.pk])).content
    assert "As an ally I take part" in html.decode()
    assert b'name="commitment_agreed_text"' not in html


def test_a_commitment_recorded_in_admin_keeps_the_text_in_the_members_language(
    client, admin_user, circle, citizen
):
    citizen.preferred_language = "nl"
    citizen.save()
    membership = citizen.memberships.get()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:circles_membership_change", args=[membership.pk]),
        {
            "person": citizen.pk,
            "circle": circle.pk,
            "sector": membership.sector,
            "joined_on": membership.joined_on.isoformat(),
            "committed_on": "2026-02-01",
            "commitment_until": "2027-02-01",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.committed_on == datetime.date(2026, 2, 1)
    assert membership.commitment_agreed_text.startswith("Als bondgenoot doe ik mee")


def test_a_member_added_again_in_admin_keeps_the_commitment_that_still_runs(
    client, admin_user, circle, citizen
):
    earlier = citizen.memberships.get()
    earlier.commit(today=timezone.localdate() - datetime.timedelta(days=100))
    earlier.end()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:circles_membership_add"),
        {
            "person": citizen.pk,
            "circle": circle.pk,
            "sector": "community",
            "joined_on": timezone.localdate().isoformat(),
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    membership = citizen.memberships.active().get()
    assert membership.commitment_until == earlier.commitment_until
    assert membership.committed_on == earlier.committed_on


def person_form(person, **changes) -> dict:
    """The admin's change form of a person as sent without changes (the profile's fields and
    the admin's own), then with `changes`."""
    return data(person, username=person.username, is_active="on", _save="Save", **changes)


def test_a_new_address_waiting_for_confirmation_is_shown_but_not_edited(
    client, admin_user, citizen
):
    email_change_link_token(citizen, "fatima@example.org")
    client.force_login(admin_user)
    html = client.get(reverse("admin:allies_user_change", args=[citizen.pk])).content.decode()
    assert "New email address waiting for confirmation" in html
    assert "fatima@example.org" in html
    assert 'name="pending_email"' not in html and 'name="email_change_sent_at"' not in html


@pytest.mark.parametrize(
    ("email", "waiting"),
    [("elsewhere@example.org", ""), ("CITIZEN@example.org", "fatima@example.org")],
    ids=["another address", "another case"],
)
def test_an_address_set_in_admin_ends_the_change_waiting(
    client, admin_user, citizen, email, waiting
):
    """The link names the address the person had when they asked: another one ends it."""
    email_change_link_token(citizen, "fatima@example.org")
    client.force_login(admin_user)
    url = reverse("admin:allies_user_change", args=[citizen.pk])
    response = client.post(url, person_form(citizen, email=email))
    assert response.status_code == 302, response.context["adminform"].form.errors
    citizen.refresh_from_db()
    assert (citizen.email, citizen.pending_email) == (email, waiting)

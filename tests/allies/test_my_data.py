"""/accounts/my-data/: everything stored about me as JSON, and nothing about anyone else."""

import datetime
import json

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from bench.plans import full_scans
from circles.models import Invitation
from meetings.models import Meeting, Response, SentReminder
from polls.models import PollReminder
from tests.allies.conftest import EMAIL, NAME, PHONE, add_rows
from tests.allies.test_profile import data
from tests.conftest import PASSWORD, count_queries, make_meeting, make_person
from tests.polls.conftest import answer, local, make_poll

pytestmark = pytest.mark.django_db
URL = reverse("my_data")


def download(client, person) -> dict:
    client.force_login(person)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="allies-my-data-')
    return json.loads(response.content)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_post_is_not_allowed(client, citizen):
    client.force_login(citizen)
    assert client.post(URL).status_code == 405


def test_it_holds_my_profile_and_everything_i_did(client, fatima):
    data = download(client, fatima)
    profile = data["profile"]
    assert profile["name"] == NAME
    assert profile["email"] == EMAIL
    assert profile["phone"] == PHONE
    assert profile["dietary_needs"] == "halal, no nuts"
    assert profile["organisation"] == "Buurtvereniging Noord"
    assert profile["phone_shared_since"]
    circles = {(m["circle"], m["left_on"]) for m in data["memberships"]}
    assert circles == {("Overvecht Allies", None), ("Tilburg Allies", "2025-01-01")}
    assert len(data["responses"]) == 2
    assert {r["dietary_needs"] for r in data["responses"]} == {"halal, no nuts"}
    assert {r["note"] for r in data["responses"]} == {"I bring my neighbour"}
    assert data["responses"][0]["meeting"]["circle"] == "Overvecht Allies"
    assert len(data["attendance"]) == 1
    assert [a["title"] for a in data["actions_owned"]] == [
        f"{NAME} and the police visit the school together"
    ]
    assert [u["text"] for u in data["action_updates_written"]] == ["Spoke to the head teacher"]


def test_it_holds_the_due_dates_i_moved(client, fatima):
    fatima.action_updates.update(
        previous_due_date=datetime.date(2026, 12, 1), new_due_date=datetime.date(2027, 1, 15)
    )
    [update] = download(client, fatima)["action_updates_written"]
    assert (update["previous_due_date"], update["new_due_date"]) == ("2026-12-01", "2027-01-15")


def test_it_holds_what_my_corrections_of_an_action_corrected(client, fatima):
    fatima.action_updates.update(title_corrected=True)
    [update] = download(client, fatima)["action_updates_written"]
    assert (update["title_corrected"], update["description_corrected"]) == (True, False)


def test_it_lists_my_sign_ins(client, fatima):
    client.post(reverse("login"), {"username": "fbouali", "password": PASSWORD})
    data = download(client, fatima)
    assert "127.0.0.1" in {s["ip_address"] for s in data["sign_ins"]}


def test_it_says_when_a_password_reset_email_last_went(client, fatima):
    assert download(client, fatima)["profile"]["password_reset_email_sent_at"] is None
    client.logout()
    asked = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(asked, tick=False):
        client.post(reverse("password_reset"), {"email": EMAIL})
    sent_at = download(client, fatima)["profile"]["password_reset_email_sent_at"]
    assert at(sent_at) == asked


def test_it_says_when_a_link_to_confirm_a_new_email_address_last_went(client, fatima):
    assert download(client, fatima)["profile"]["email_confirmation_sent_at"] is None
    asked = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    with time_machine.travel(asked, tick=False):
        changes = {"email": "fatima@new.example", "current_password": PASSWORD}
        assert client.post(reverse("profile"), data(fatima, **changes)).status_code == 302
    sent_at = download(client, fatima)["profile"]["email_confirmation_sent_at"]
    assert at(sent_at) == asked


def test_it_holds_the_new_email_address_waiting_for_confirmation(client, fatima):
    assert download(client, fatima)["profile"]["new_email_waiting_for_confirmation"] == ""
    changes = {"email": "fatima@new.example", "current_password": PASSWORD}
    client.post(reverse("profile"), data(fatima, **changes))
    profile = download(client, fatima)["profile"]
    assert profile["new_email_waiting_for_confirmation"] == "fatima@new.example"
    assert profile["email"] == EMAIL


def at(value: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(value)


def test_it_holds_my_date_poll_answers_and_no_one_elses(client, fatima, clerk, circle):
    poll = make_poll(
        circle, local(2027, 3, 18, 18, 30), local(2027, 3, 25, 18, 30), title="Spring dinner"
    )
    answer(poll, fatima, "yes", "no")
    answer(poll, clerk, "if_need_be", "if_need_be")
    answers = download(client, fatima)["poll_answers"]
    assert [(at(a["date"]), a["answer"]) for a in answers] == [
        (local(2027, 3, 18, 18, 30), "yes"),
        (local(2027, 3, 25, 18, 30), "no"),
    ]
    assert answers[0]["poll"] == {
        "circle": "Overvecht Allies",
        "title": "Spring dinner",
        "kind": "dinner",
        "venue": "Politiebureau Overvecht",
    }
    assert answers[0]["updated_at"]


def test_it_holds_my_invitations_and_no_one_elses(client, fatima, clerk, circle, coordinator):
    Invitation.objects.create(circle=circle, person=fatima, sector="police", invited_by=coordinator)
    Invitation.objects.create(circle=circle, person=clerk, sector="community")
    (invitation,) = download(client, fatima)["invitations"]
    assert invitation["circle"] == "Overvecht Allies" and invitation["sector"] == "police"
    assert invitation["invited_at"] and invitation["answered_at"] is None
    assert not invitation["accepted"]
    assert "Coordinator" not in str(invitation)  # who asked is theirs to tell


def test_it_holds_the_polls_and_actions_i_created_and_no_one_elses(
    client, fatima, coordinator, circle
):
    make_poll(circle, title="Spring dinner", created_by=fatima)
    make_poll(circle, title="Autumn dinner", created_by=coordinator)
    Action.objects.create(circle=circle, title="Paint the bench", created_by=fatima)
    data = download(client, fatima)
    assert [(p["title"], p["circle"], p["closed_at"]) for p in data["polls_created"]] == [
        ("Spring dinner", "Overvecht Allies", None)
    ]
    assert [(a["title"], a["circle"], a["status"]) for a in data["actions_created"]] == [
        ("Paint the bench", "Overvecht Allies", "open")
    ]


def test_it_holds_the_reminders_sent_to_me_and_no_one_elses(client, fatima, clerk, circle):
    dinner = make_meeting(circle, days_ahead=2, title="Spring dinner")
    action = Action.objects.create(
        circle=circle, title="Paint the bench", due_date=datetime.date(2027, 3, 1)
    )
    sent = timezone.now().replace(microsecond=0)
    SentReminder.objects.create(
        kind="dinner", key="dinner-f", meeting=dinner, person=fatima, sent_at=sent
    )
    SentReminder.objects.create(
        kind="action_due", key="action-f", action=action, person=fatima, sent_at=sent
    )
    SentReminder.objects.create(kind="dinner", key="dinner-c", meeting=dinner, person=clerk)
    reminders = download(client, fatima)["reminders_received"]
    assert sorted((r["kind"], at(r["sent_at"])) for r in reminders) == [
        ("action_due", sent),
        ("dinner", sent),
    ]
    by_kind = {r["kind"]: r for r in reminders}
    assert by_kind["dinner"]["meeting"]["title"] == "Spring dinner"
    assert by_kind["dinner"]["action"] is None
    assert by_kind["action_due"]["action"] == {
        "circle": "Overvecht Allies",
        "title": "Paint the bench",
        "status": "open",
        "due_date": "2027-03-01",
    }


def test_it_says_which_circle_a_commitment_reminder_was_about(client, fatima, circle):
    membership = fatima.memberships.get(circle=circle)
    SentReminder.objects.create(
        kind="commitment", key="commitment-f", membership=membership, person=fatima
    )
    [reminder] = download(client, fatima)["reminders_received"]
    assert (reminder["kind"], reminder["circle"]) == ("commitment", "Overvecht Allies")
    assert reminder["meeting"] is None and reminder["action"] is None


def test_it_holds_the_poll_reminders_sent_to_me_and_no_one_elses(client, fatima, clerk, circle):
    spring = make_poll(circle, title="Spring dinner")
    autumn = make_poll(circle, title="Autumn dinner")
    sent = timezone.now().replace(microsecond=0)
    PollReminder.objects.create(poll=spring, person=fatima, sent_at=sent)
    PollReminder.objects.create(poll=autumn, person=clerk)
    reminders = download(client, fatima)["poll_reminders_received"]
    assert [(r["poll"]["title"], r["poll"]["circle"], at(r["sent_at"])) for r in reminders] == [
        ("Spring dinner", "Overvecht Allies", sent)
    ]


def test_it_counts_failed_sign_ins_under_my_username_or_email(client, fatima, clerk):
    for username in ("fbouali", "fbouali", EMAIL, "clerk"):
        client.post(reverse("login"), {"username": username, "password": "wrong guess"})
    throttle = download(client, fatima)["sign_in_throttle"]
    assert sorted(t["failures"] for t in throttle) == [1, 2]  # the username, the email
    assert all(t["last_failure_at"] for t in throttle)
    # Whoever typed the name: their address and browser are not the person's data.
    assert all(set(t) == {"last_failure_at", "failures"} for t in throttle)


def test_it_lists_failed_sign_ins_when_they_are_logged(client, fatima, clerk, settings):
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    for username in ("fbouali", "clerk"):
        client.post(reverse("login"), {"username": username, "password": "wrong guess"})
    assert AccessFailureLog.objects.count() == 2
    failed = download(client, fatima)["failed_sign_ins"]
    assert len(failed) == 1 and failed[0]["at"] and failed[0]["locked_out"] is False
    assert set(failed[0]) == {"at", "locked_out"}  # no address or browser of whoever typed


def circle_text(person) -> str:
    return person.memberships.get(left_on__isnull=True).circle.commitment


def test_it_holds_the_commitment_text_i_agreed_to(client, fatima, circle):
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    fatima.memberships.get(left_on__isnull=True).commit(today=datetime.date(2026, 5, 1))
    circle.commitment_text = "We eat together every month."
    circle.save()
    memberships = download(client, fatima)["memberships"]
    agreed = {(m["circle"], m["committed_on"], m["commitment_agreed_to"]) for m in memberships}
    assert agreed == {
        ("Overvecht Allies", "2026-05-01", "We eat together and keep in touch."),
        ("Tilburg Allies", None, ""),
    }


def test_it_holds_the_history_of_my_memberships(client, fatima, coordinator, clerk):
    membership = fatima.memberships.get(left_on__isnull=True)
    membership._history_user = coordinator
    membership.commit(today=datetime.date(2026, 5, 1))
    clerk_membership = clerk.memberships.get()
    clerk_membership._history_user = coordinator
    clerk_membership.commit(today=datetime.date(2026, 5, 1))
    history = download(client, fatima)["membership_history"]
    # Joined two circles, left one, committed to the other (clerk's rows left out).
    assert [(h["circle"], h["change"]) for h in history] == [
        ("Overvecht Allies", "created"),
        ("Tilburg Allies", "created"),
        ("Tilburg Allies", "changed"),
        ("Overvecht Allies", "changed"),
    ]
    assert history[2]["left_on"] == "2025-01-01"
    assert history[3]["committed_on"] == "2026-05-01"
    assert history[3]["commitment_until"] == "2027-05-01"
    assert history[3]["commitment_agreed_to"] == circle_text(fatima)
    assert history[2]["commitment_agreed_to"] == ""
    assert history[3]["changed_by_me"] is False
    assert "coordinator" not in "\n".join(strings(history))


def test_it_holds_the_history_of_my_answers(client, fatima, clerk):
    mine = fatima.responses.order_by("meeting__starts_at").last()
    mine.answer = Response.Answer.NOT_ATTENDING
    mine.note = "My daughter is ill"
    mine._history_user = fatima
    mine.save()
    history = download(client, fatima)["response_history"]
    assert [(h["change"], h["answer"], h["note"], h["changed_by_me"]) for h in history] == [
        ("created", "attending", "I bring my neighbour", False),
        ("created", "attending", "I bring my neighbour", False),
        ("changed", "not_attending", "My daughter is ill", True),
    ]
    assert history[2]["meeting"]["circle"] == "Overvecht Allies"
    assert "dietary_needs" not in history[0]  # the history keeps none
    assert "i will pick up" not in "\n".join(strings(history))  # the clerk's note


def test_it_holds_the_history_of_the_meetings_i_hosted(client, fatima, officer, circle):
    dinner = make_meeting(circle, title="Spring dinner", host=fatima)
    dinner.host = officer
    dinner.save()
    make_meeting(circle, title="Autumn dinner", host=officer)
    data = download(client, fatima)
    assert [(h["change"], h["meeting"]["title"]) for h in data["hosting_history"]] == [
        ("created", "Spring dinner")
    ]
    assert data["meetings_hosted"] == []


def test_it_holds_the_history_of_the_actions_i_owned(client, fatima, officer, clerk):
    action = Action.objects.get(title__endswith="visit the school together")
    action.owners.set([officer])
    history = download(client, fatima)["action_ownership_history"]
    # Owners set, title changed; not the version without her, nor the clerk's action.
    assert [(h["change"], h["action"]["title"]) for h in history] == [
        ("changed", f"{NAME} and the police visit the school"),
        ("changed", f"{NAME} and the police visit the school together"),
    ]
    assert history[0]["action"]["circle"] == "Overvecht Allies"


def test_it_lists_the_changes_i_made_without_other_peoples_details(
    client, fatima, officer, clerk, circle
):
    dinner = Meeting.objects.get(title="", starts_at__gt=timezone.now())
    clerks_answer = clerk.responses.get(meeting=dinner)
    clerks_membership = clerk.memberships.get()
    action = Action.objects.get(title="Clean the square")
    for row in (dinner, clerks_answer, clerks_membership, action):
        row._history_user = fatima
        row.save()
    dinner._history_user = officer  # someone else's change
    dinner.save()
    changes = download(client, fatima)["changes_made"]
    assert sorted((c["what"], c["change"], c["circle"]) for c in changes) == [
        ("action", "changed", "Overvecht Allies"),
        ("meeting", "changed", "Overvecht Allies"),
        ("membership", "changed", "Overvecht Allies"),
        ("response", "changed", "Overvecht Allies"),
    ]
    by_what = {c["what"]: c for c in changes}
    assert by_what["meeting"]["meeting"]["venue"] == "Police station"
    assert by_what["response"]["meeting"] == by_what["meeting"]["meeting"]
    assert by_what["action"]["action"]["title"] == "Clean the square"
    text = "\n".join(strings(changes))
    assert "clerk" not in text
    assert "vegetarian" not in text and "i will pick up" not in text
    assert "community" not in text  # the clerk's sector


def test_it_holds_the_admin_log_by_me_and_about_me_but_not_who_wrote_it(
    client, fatima, officer, coordinator
):
    LogEntry.objects.log_actions(
        user_id=fatima.pk, queryset=[officer], action_flag=CHANGE, change_message="Changed name."
    )
    LogEntry.objects.log_actions(
        user_id=coordinator.pk, queryset=[officer], action_flag=ADDITION, change_message="Added."
    )
    data = download(client, fatima)
    assert [(e["action"], e["record"]) for e in data["admin_changes_made"]] == [("changed", "user")]
    # The fixture's change by the coordinator, told without the coordinator.
    assert [(e["action"], e["change"]) for e in data["admin_changes_to_my_account"]] == [
        ("changed", "Changed phone.")
    ]
    text = "\n".join(strings(data["admin_changes_made"] + data["admin_changes_to_my_account"]))
    assert "officer" not in text and "coordinator" not in text


def test_it_holds_my_groups_and_permissions(client, fatima, clerk):
    group = Group.objects.create(name="Municipal liaisons")
    permission = Permission.objects.get(codename="view_meeting")
    fatima.groups.add(group)
    fatima.user_permissions.add(permission)
    clerk.groups.add(Group.objects.create(name="Press officers"))
    profile = download(client, fatima)["profile"]
    assert profile["groups"] == ["Municipal liaisons"]
    assert profile["permissions"] == ["meetings.view_meeting"]
    assert (profile["active"], profile["staff"], profile["superuser"]) == (True, False, False)


def strings(data) -> list[str]:
    """Every string value in the export (not the keys), lower-cased."""
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings(value)]
    return [data.lower()] if isinstance(data, str) else []


def test_it_holds_nothing_about_anyone_else(client, fatima, officer, clerk, coordinator):
    values = strings(download(client, fatima))
    text = "\n".join(values)
    for other in (officer, clerk, coordinator):
        for value in (other.name, other.email, str(other.phone)):
            assert value.lower() not in text, value
        assert other.username not in values
    assert "vegetarian" not in text  # the clerk's dietary needs
    assert "i will pick up" not in text  # the clerk's note
    assert "did not answer" not in text  # the officer's update
    assert fatima.password.lower() not in text
    assert fatima.feed_token.lower() not in text


def test_a_person_with_nothing_gets_an_empty_record(client, db):
    data = download(client, make_person("newcomer"))
    assert data["profile"]["username"] == "newcomer"
    assert data["memberships"] == data["responses"] == data["actions_owned"] == []
    assert data["poll_answers"] == data["reminders_received"] == data["failed_sign_ins"] == []
    assert data["invitations"] == []
    assert data["changes_made"] == data["admin_changes_made"] == []


def test_the_query_count_does_not_grow_with_the_rows(client, fatima, circle):
    client.force_login(fatima)
    add_rows(fatima, circle, 3)
    few = count_queries(client, URL)
    add_rows(fatima, circle, 57)
    assert count_queries(client, URL) == few


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's planner, misled by its statistics"
)
def test_my_hosted_meetings_are_found_through_an_index_when_most_meetings_have_no_host(
    client, fatima, circle
):
    """At national size SQLite read all 104,000 meetings in date order for the few a person
    hosted (215 ms), because its statistics made a host index full of NULLs look useless."""
    starts = timezone.now()
    Meeting.objects.bulk_create(
        Meeting(
            circle=circle,
            starts_at=starts + datetime.timedelta(days=n),
            ends_at=starts + datetime.timedelta(days=n, hours=2),
            venue_name="Police station",
            host=fatima if n % 100 == 0 else None,
        )
        for n in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client.force_login(fatima)
    with CaptureQueriesContext(connection) as queries:
        assert len(download(client, fatima)["meetings_hosted"]) == 3
    scans = [q["sql"] for q in queries if full_scans(q["sql"], {"meetings_meeting"})]
    assert scans == []

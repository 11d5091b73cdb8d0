"""Erasing a person (manage.py erase_person and the admin action) leaves no trace of their
name, email or phone anywhere in the database, while the circles' history stays."""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from actions.models import Action, ActionUpdate
from allies.admin_utils import change_page
from allies.models import User
from allies.privacy import name_mentions, name_parts
from circles.models import Circle, Invitation
from meetings.models import AgendaItem, Attendance, Meeting, Response, Topic
from polls.models import Poll
from tests.allies.conftest import EMAIL, NAME, PHONE
from tests.conftest import PASSWORD, email_change_link_token, make_meeting, make_person
from tests.polls.conftest import answer, poll_ahead

pytestmark = pytest.mark.django_db

TRACES = [NAME, EMAIL, PHONE, "06 87654321", "0687654321", "fbouali"]


def traces_in_database() -> list[tuple[str, str]]:
    """(table, value) for every text cell of every table that holds one of the TRACES."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str) and any(t.lower() in value.lower() for t in TRACES):
                        found.append((table, value))
    return found


def history_counts() -> dict[str, int]:
    return {
        "responses": Response.objects.count(),
        "attendance": Attendance.objects.count(),
        "actions": Action.objects.count(),
        "updates": ActionUpdate.objects.count(),
        "meetings": Meeting.objects.count(),
        "action history": Action.history.count(),
    }


@pytest.fixture
def signed_in_fatima(client, fatima):
    client.post(reverse("login"), {"username": "fbouali", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(fatima.pk)
    return fatima


def test_the_search_finds_the_person_before_erasure(fatima):
    tables = {table for table, _ in traces_in_database()}
    assert {"allies_user", "meetings_meeting", "actions_action", "actions_historicalaction"} <= (
        tables
    )


def test_erasure_leaves_no_trace_anywhere(signed_in_fatima):
    call_command("erase_person", "fbouali", "--no-input")
    assert traces_in_database() == []


def test_erasure_withdraws_the_answers_ahead(fatima):
    """As leaving a circle does: a former member no longer comes to the dinners ahead, and
    would be counted for the food as "former member"; the answers gone by stay."""
    call_command("erase_person", EMAIL, "--no-input")
    answers = Response.objects.filter(person=fatima)
    assert [r.meeting.status for r in answers] == [Meeting.Status.HELD]


def test_erasure_withdraws_the_answers_to_open_polls(fatima, circle, clerk):
    """As leaving a circle does: a former member no longer counts in a poll still open; a
    closed poll's answers stay, its history."""
    poll, closed = poll_ahead(circle), poll_ahead(circle)
    Poll.objects.filter(pk=closed.pk).update(closed_at=timezone.now())
    for each in (poll, closed):
        answer(each, fatima, "yes", "no")
    answer(poll, clerk, "yes", "yes")
    call_command("erase_person", EMAIL, "--no-input")
    assert set(fatima.poll_answers.values_list("option__poll", flat=True)) == {closed.pk}
    assert poll.options.first().answers.get().person == clerk


def test_erasure_keeps_the_circle_history(fatima, clerk, officer):
    before = history_counts()
    call_command("erase_person", EMAIL, "--no-input")
    # All but her answer to the dinner ahead (test_erasure_withdraws_the_answers_ahead).
    assert history_counts() == before | {"responses": before["responses"] - 1}
    held = Meeting.objects.get(status=Meeting.Status.HELD)
    assert held.minutes.startswith("former member told about the playground.")
    assert held.attendances.count() == 2
    action = Action.objects.get(title__endswith="visit the school together")
    assert action.title == "former member and the police visit the school together"
    assert set(action.owners.all()) == {fatima, officer}
    # Other people keep what is theirs.
    assert set(Response.objects.filter(person=clerk).values_list("dietary_needs", flat=True)) == {
        "vegetarian"
    }
    assert set(Response.objects.filter(person=clerk).values_list("note", flat=True)) == {
        "I will pick up former member"
    }


def test_the_erased_person_is_closed_and_anonymous(client, signed_in_fatima):
    signed_in_fatima.claim_email("password_reset_sent_at")
    signed_in_fatima.claim_email("email_change_sent_at")
    call_command("erase_person", "fbouali", "--no-input")
    person = User.objects.get(pk=signed_in_fatima.pk)
    assert person.username == f"erased-{person.pk}"
    assert person.name == "former member"
    assert (person.email, str(person.phone), person.dietary_needs, person.organisation) == (
        "",
        "",
        "",
        "",
    )
    assert person.phone_shared_at is person.password_reset_sent_at is None
    assert person.email_change_sent_at is None
    assert not person.is_active
    assert not person.has_usable_password()
    assert not person.memberships.active().exists()
    assert set(person.responses.values_list("dietary_needs", "note")) == {("", "")}
    # The session they had is gone, and they cannot sign in again.
    assert client.get(reverse("dashboard")).status_code == 302
    assert authenticate(username="fbouali", password=PASSWORD) is None


def test_the_new_address_waiting_for_confirmation_goes_too(signed_in_fatima, citizen):
    waiting = "fatima.zahra@elders.example"
    email_change_link_token(signed_in_fatima, waiting)
    # Someone wrote it down: it is hers as much as the address she has.
    Meeting.objects.filter(status=Meeting.Status.HELD).update(minutes=f"Mail {waiting} first.")
    call_command("erase_person", "fbouali", "--no-input")
    assert User.objects.get(pk=signed_in_fatima.pk).pending_email == ""
    assert Meeting.objects.get(status=Meeting.Status.HELD).minutes == "Mail former member first."


def test_the_command_asks_first(fatima, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    with pytest.raises(CommandError, match="Nothing erased"):
        call_command("erase_person", "fbouali")
    assert User.objects.get(pk=fatima.pk).name == NAME


def test_the_command_refuses_an_unknown_person(db):
    with pytest.raises(CommandError, match="No person"):
        call_command("erase_person", "nobody", "--no-input")


def test_the_admin_action_confirms_then_erases(admin_client, fatima):
    url = reverse("admin:allies_user_changelist")
    data = {"action": "erase_people", "_selected_action": [fatima.pk]}
    confirm = admin_client.post(url, data)
    assert confirm.status_code == 200
    assert "This cannot be undone" in confirm.content.decode()
    assert User.objects.get(pk=fatima.pk).name == NAME
    done = admin_client.post(url, {**data, "confirm": "yes"}, follow=True)
    assert "1 person erased." in done.content.decode()
    assert traces_in_database() == []


def test_the_admin_action_leaves_who_erased_whom_and_when_in_the_history(
    admin_client, admin_user, fatima
):
    url = reverse("admin:allies_user_changelist")
    data = {"action": "erase_people", "_selected_action": [fatima.pk], "confirm": "yes"}
    admin_client.post(url, data)
    history = admin_client.get(reverse("admin:allies_user_history", args=[fatima.pk]))
    *_, entry = history.context["action_list"]  # the latest
    assert (entry.user, entry.get_change_message()) == (
        admin_user,
        "Erased: full name, username, email address and phone number replaced by “former member” "
        "in every text; account closed.",
    )
    assert entry.object_repr == str(User.objects.get(pk=fatima.pk))


def test_the_admin_action_refuses_superusers(admin_client, admin_user):
    other_admin = make_person("root", is_superuser=True, is_staff=True)
    url = reverse("admin:allies_user_changelist")
    response = admin_client.post(
        url, {"action": "erase_people", "_selected_action": [other_admin.pk]}, follow=True
    )
    assert "cannot be erased" in response.content.decode()
    assert User.objects.get(pk=other_admin.pk).is_superuser


def test_open_invitations_go_with_the_person_answered_ones_stay(fatima, circle):
    open_one = Invitation.objects.create(circle=circle, person=fatima, sector="police")
    answered = Invitation.objects.create(
        circle=circle, person=fatima, sector="police", answered_at=timezone.now()
    )
    call_command("erase_person", "fbouali", "--no-input")
    assert list(Invitation.objects.all()) == [answered]
    assert not Invitation.objects.filter(pk=open_one.pk).exists()


def test_the_commitment_agreed_to_stays_with_the_ended_membership(fatima, circle):
    """It is the circle's text, not the person's: like the dates of the agreement, it tells
    the circle's history."""
    circle.commitment_text = "We eat together and keep in touch."
    circle.save()
    fatima.memberships.get(left_on__isnull=True).commit()
    call_command("erase_person", "fbouali", "--no-input")
    membership = fatima.memberships.get(circle=circle)
    assert membership.left_on is not None
    assert membership.committed_on is not None
    assert membership.commitment_agreed_text == "We eat together and keep in touch."


def erase_in_admin(admin_client, person):
    url = reverse("admin:allies_user_changelist")
    data = {"action": "erase_people", "_selected_action": [person.pk], "confirm": "yes"}
    return admin_client.post(url, data, follow=True).content.decode()


def test_the_confirmation_says_the_full_name_is_replaced_not_a_first_name(admin_client, fatima):
    url = reverse("admin:allies_user_changelist")
    html = admin_client.post(url, {"action": "erase_people", "_selected_action": [fatima.pk]})
    text = html.content.decode()
    assert "replaces their full name, username, email address and phone number" in text
    assert "A first name or surname on its own, or a nickname, is not replaced" in text
    assert "answers to the meetings ahead and to the open date polls are withdrawn" in text
    assert "everywhere, also where others mention them" not in text


def test_the_admin_lists_what_still_names_them_by_first_name_or_surname(
    admin_client, fatima, circle
):
    held = Meeting.objects.get(status=Meeting.Status.HELD)
    action = Action.objects.create(
        circle=circle, title="Meet the shopkeepers", description="Fatima kent de winkeliers."
    )
    update = ActionUpdate.objects.create(action=action, text="Asked BOUALI's neighbour.")
    # Not whole words, or the full name that the erasure replaces: nothing to check there.
    Action.objects.create(circle=circle, title="Fatimah and Zahrawi clean the square")

    html = erase_in_admin(admin_client, fatima)

    assert "1 person erased." in html
    assert "Free text still names them as “Fatima”, “Bouali”" in html
    action_link = f'<a href="/admin/actions/action/{action.pk}/change/">Action: Meet the'
    assert f"{action_link} shopkeepers</a>" in html
    update_link = f'<a href="/admin/actions/actionupdate/{update.pk}/change/">Action update: '
    assert update_link in html
    assert f"/admin/meetings/meeting/{held.pk}/change/" not in html  # only the full name there
    assert "none to check by hand" not in html
    # As the confirmation said: the first name alone stays.
    action.refresh_from_db()
    assert action.description == "Fatima kent de winkeliers."


def test_a_record_named_by_the_full_name_is_listed_as_it_reads_after_erasure(
    admin_client, fatima, circle
):
    meeting = make_meeting(
        circle, title="Farewell to Fatima Zahra Bouali", minutes="Zahra will be missed."
    )
    html = erase_in_admin(admin_client, fatima)
    assert "Free text still names them as “Zahra”" in html
    meeting_link = f'<a href="/admin/meetings/meeting/{meeting.pk}/change/">Meeting: Farewell'
    assert f"{meeting_link} to former member — Overvecht Allies" in html
    assert NAME not in html


def test_the_list_covers_agenda_notes_others_answers_polls_and_venues(
    admin_client, fatima, circle, citizen
):
    meeting = make_meeting(circle, days_ahead=20, venue_name="Fatima's community room")
    item = AgendaItem.objects.create(meeting=meeting, notes="Bouali brings the mayor.")
    theirs = Response.objects.create(meeting=meeting, person=citizen, note="I drive Fatima home.")
    poll = Poll.objects.create(circle=circle, venue_name="Police station", title="Bouali's idea")
    # Her own note the erasure empties: nothing to check there.
    mine = Response.objects.create(
        meeting=make_meeting(circle, days_ahead=30), person=fatima, note="Fatima: vegetarian"
    )

    html = erase_in_admin(admin_client, fatima)

    for record in (meeting, item, theirs, poll):
        assert change_page(record) in html
    assert change_page(mine) not in html


def test_only_their_own_circles_records_are_listed(admin_client, fatima):
    """A circle they were never in: its "Fatima" is most likely someone else."""
    elsewhere = Circle.objects.create(name="Zwolle-Zuid Allies", municipality="Zwolle")
    Action.objects.create(circle=elsewhere, title="Fatima opens the community centre")
    html = erase_in_admin(admin_client, fatima)
    assert "none to check by hand" in html
    assert "community centre" not in html


def test_the_admin_says_when_nothing_names_them_any_more(admin_client, fatima):
    # The fixture names Fatima by her full name, email and phone only.
    html = erase_in_admin(admin_client, fatima)
    assert (
        "No record of their circles names them by their first name or surname any more: "
        "none to check by hand."
    ) in html
    assert "Free text still names them" not in html


def test_the_admin_says_it_in_dutch(admin_client, admin_user, fatima, circle):
    admin_user.preferred_language = "nl"
    admin_user.save()
    Action.objects.create(circle=circle, title="Bouali belt de school")
    html = erase_in_admin(admin_client, fatima)
    assert "Vrije tekst noemt hen nog als “Bouali”" in html


@pytest.mark.parametrize("count", [1, 8])
def test_the_search_takes_a_query_per_kind_of_record(
    fatima, circle, citizen, count, django_assert_num_queries
):
    for i in range(count):
        action = Action.objects.create(circle=circle, title=f"Fatima's task {i}")
        ActionUpdate.objects.create(action=action, text=f"Bouali did {i}")
        meeting = make_meeting(circle, days_ahead=-i - 1, minutes=f"Zahra spoke {i}")
        AgendaItem.objects.create(meeting=meeting, topic=Topic.objects.first(), notes="Zahra")
        Response.objects.create(meeting=meeting, person=citizen, note=f"With Fatima {i}")
        Poll.objects.create(circle=circle, venue_name=f"Bouali's garden {i}")
    with django_assert_num_queries(6):
        mentions = name_mentions(fatima)
    assert len(mentions.records) == 6 * count


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Fatima Zahra Bouali", ["Fatima", "Zahra", "Bouali"]),
        ("Jan van der Berg", ["Jan", "Berg"]),
        ("Ayşe ten Hove-Çelik", ["Ayşe", "Hove", "Çelik"]),
        ("Al Li", []),
        ("Bo Bo Anna anna", ["Anna"]),
    ],
)
def test_name_parts_are_the_words_a_text_may_name_someone_by(name, parts):
    assert name_parts(name) == parts


def test_the_command_lists_what_still_names_them(fatima, circle, capsys):
    action = Action.objects.create(circle=circle, title="Fatima calls the school")
    call_command("erase_person", "fbouali", "--no-input")
    out = capsys.readouterr().out
    assert "Free text still names them as Fatima; check these by hand in admin:" in out
    assert f"action {action.pk}: /admin/actions/action/{action.pk}/change/" in out


def sign_in_records() -> set[tuple]:
    return {
        (model.__name__, row.username, row.ip_address)
        for model in (AccessLog, AccessAttempt, AccessFailureLog)
        for row in model.objects.all()
    }


def test_the_sign_in_records_go_under_either_name_in_any_case(client, fatima, settings):
    """The records are found before the username in them is replaced by "former member":
    afterwards they would hold the person's addresses under that name."""
    settings.AXES_ENABLE_ACCESS_FAILURE_LOG = True
    # Kept as she typed it; django-axes keeps a typed name in lower case.
    User.objects.filter(pk=fatima.pk).update(email="F.Bouali@BuurtNet.example")
    login = reverse("login")
    client.post(login, {"username": "fbouali", "password": PASSWORD}, REMOTE_ADDR="10.1.2.3")
    client.logout()
    for typed, address in (("FBouali", "10.9.9.9"), (EMAIL.upper(), "10.8.8.8")):
        client.post(login, {"username": typed, "password": "wrong"}, REMOTE_ADDR=address)
    client.post(login, {"username": "clerk", "password": "wrong"}, REMOTE_ADDR="10.7.7.7")
    assert len(sign_in_records()) == 7

    call_command("erase_person", "fbouali", "--no-input")

    # Only someone else's failure stays.
    assert sign_in_records() == {
        ("AccessAttempt", "clerk", "10.7.7.7"),
        ("AccessFailureLog", "clerk", "10.7.7.7"),
    }

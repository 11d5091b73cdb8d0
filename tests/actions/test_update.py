import datetime

import pytest
import time_machine
from django.utils import timezone
from django.utils.formats import date_format

from actions.models import Action, ActionUpdate
from tests.error_summary import link, summary

NOTHING = "Write an update, choose a new status or set a new due date."


@pytest.fixture
def lights(circle, cast):
    made = Action.objects.create(circle=circle, title="Ask for street lights")
    made.owners.set([cast["clerk"], cast["citizen"]])
    return made


def url(action):
    return f"/actions/{action.pk}/update/"


def test_anonymous_is_sent_to_sign_in(client, lights):
    response = client.post(url(lights), {"text": "x"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not ActionUpdate.objects.exists()


def test_get_is_not_allowed(client, lights, cast):
    client.force_login(cast["clerk"])
    assert client.get(url(lights)).status_code == 405


def test_outsider_gets_404(client, lights, outsider):
    client.force_login(outsider)
    assert client.post(url(lights), {"text": "x"}).status_code == 404
    assert not ActionUpdate.objects.exists()


def test_a_member_who_is_no_owner_gets_403(client, lights, cast):
    client.force_login(cast["officer"])
    response = client.post(url(lights), {"text": "Me too", "new_status": "done"})
    assert response.status_code == 403
    lights.refresh_from_db()
    assert lights.status == Action.Status.OPEN and not ActionUpdate.objects.exists()


def test_an_owner_adds_an_update(client, lights, cast):
    client.force_login(cast["clerk"])
    response = client.post(url(lights), {"text": "  Asked the municipality.  ", "new_status": ""})
    assert response.status_code == 302 and response.url == f"/actions/{lights.pk}/"
    update = ActionUpdate.objects.get()
    assert (update.author, update.text, update.new_status) == (
        cast["clerk"],
        "Asked the municipality.",
        "",
    )
    html = client.get(response.url).content.decode()
    assert "Your update is saved." in html and "Asked the municipality." in html


def test_done_sets_completed_at_and_reopening_clears_it(client, lights, cast):
    client.force_login(cast["coordinator"])
    client.post(url(lights), {"text": "", "new_status": "done"})
    lights.refresh_from_db()
    assert lights.status == Action.Status.DONE and lights.completed_at is not None
    assert ActionUpdate.objects.get().new_status == "done"
    client.post(url(lights), {"text": "Broken again", "new_status": "in_progress"})
    lights.refresh_from_db()
    assert lights.status == Action.Status.IN_PROGRESS and lights.completed_at is None


def test_an_empty_update_is_refused_and_nothing_saved(client, lights, cast):
    client.force_login(cast["citizen"])
    response = client.post(url(lights), {"text": "   ", "new_status": "open"})
    html = response.content.decode()
    assert response.status_code == 200
    assert NOTHING in html
    assert not ActionUpdate.objects.exists()


def test_a_bad_status_keeps_the_typed_text(client, lights, cast):
    client.force_login(cast["citizen"])
    response = client.post(url(lights), {"text": "Typed words", "new_status": "finished"})
    html = response.content.decode()
    assert "Select a valid choice" in html and "Typed words" in html
    lights.refresh_from_db()
    assert lights.status == Action.Status.OPEN and not ActionUpdate.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("w" * 5001, "Ensure this value has at most 5000 characters"),
        ("Called\x00the school", "Null characters are not allowed."),
        ("Called\x1b[2Jthe school", "invisible control characters"),
    ],
)
def test_bad_text_is_refused_and_nothing_saved(client, lights, cast, text, error):
    client.force_login(cast["citizen"])
    response = client.post(url(lights), {"text": text, "new_status": "done"})
    assert response.status_code == 200
    assert error in response.content.decode()
    lights.refresh_from_db()
    assert lights.status == Action.Status.OPEN and not ActionUpdate.objects.exists()


def test_an_update_keeps_its_line_breaks_and_any_script(client, lights, cast):
    client.force_login(cast["citizen"])
    text = "Called the school.\r\n\tThey say: ‏שלום‏ 🍲\r\n" + "w" * 4900
    assert client.post(url(lights), {"text": text}).status_code == 302
    assert ActionUpdate.objects.get().text == text.strip().replace("\r\n", "\n")


def test_an_empty_update_opens_on_the_error_summary(client, lights, cast):
    # The form sits below every earlier update: a screen or more down on a phone.
    client.force_login(cast["clerk"])
    html = client.post(url(lights), {"text": " ", "new_status": ""}).content.decode()
    # An error of the whole form: said once, in the summary at the top of the form.
    assert f"<li>{NOTHING}</li>" in summary(html, level=3)
    assert html.count(NOTHING) == 1
    assert not ActionUpdate.objects.exists()


def test_a_bad_status_in_the_summary_links_to_its_field(client, lights, cast):
    client.force_login(cast["clerk"])
    html = client.post(url(lights), {"text": "Asked", "new_status": "lost"}).content.decode()
    expected = "New status: Select a valid choice. lost is not one of the available choices."
    assert link("id_new_status", expected) in summary(html, level=3)
    assert not ActionUpdate.objects.exists()


@pytest.fixture
def late(lights):
    """Ask for street lights, due on 1 December 2026; today is 10 December 2026."""
    lights.due_date = datetime.date(2026, 12, 1)
    lights.save()
    with time_machine.travel(datetime.datetime(2026, 12, 10, 12, 0), tick=False):
        yield lights


def test_an_owner_moves_the_due_date_and_the_update_says_so(client, late, cast):
    client.force_login(cast["clerk"])
    moved = {"text": "The supplier is late.", "new_due_date": "2027-01-15"}
    response = client.post(url(late), moved)
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.due_date == datetime.date(2027, 1, 15) and not late.is_overdue
    update = ActionUpdate.objects.get()
    assert (update.previous_due_date, update.new_due_date) == (
        datetime.date(2026, 12, 1),
        datetime.date(2027, 1, 15),
    )
    assert update.text == "The supplier is late." and update.new_status == ""
    html = client.get(response.url).content.decode()
    assert "Due date moved from 1 December 2026 to 15 January 2027." in html
    assert "overdue since" not in html
    # The action's history has the move, and who made it: its last record (the clock went back to
    # 10 December for the move, so the record of the action's making may have a later date).
    moved = late.history.order_by("history_id").last()
    assert moved.due_date == datetime.date(2027, 1, 15)
    assert moved.history_user == cast["clerk"]


def test_the_move_is_shown_in_the_readers_language(client, late, cast):
    client.force_login(cast["clerk"])
    client.post(url(late), {"new_due_date": "2027-01-15"})
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    client.force_login(cast["citizen"])
    html = client.get(f"/actions/{late.pk}/").content.decode()
    assert "Streefdatum verschoven van 1 december 2026 naar 15 januari 2027." in html


def test_a_new_due_date_alone_is_an_update(client, lights, cast):
    # No due date yet: the update says the date set.
    client.force_login(cast["coordinator"])
    due = timezone.localdate() + datetime.timedelta(days=30)
    response = client.post(url(lights), {"text": "", "new_status": "", "new_due_date": due})
    assert response.status_code == 302
    lights.refresh_from_db()
    assert lights.due_date == due and lights.status == Action.Status.OPEN
    update = ActionUpdate.objects.get()
    assert (update.previous_due_date, update.new_due_date, update.text) == (None, due, "")
    html = client.get(response.url).content.decode()
    assert f"Due date set to {date_format(due, 'j F Y')}." in html


def test_the_same_due_date_again_is_no_move(client, late, cast):
    client.force_login(cast["clerk"])
    response = client.post(url(late), {"text": "", "new_due_date": "2026-12-01"})
    assert NOTHING in response.content.decode()
    response = client.post(url(late), {"text": "Still waiting.", "new_due_date": "2026-12-01"})
    assert response.status_code == 302
    update = ActionUpdate.objects.get()
    assert update.new_due_date is None and update.previous_due_date is None


@pytest.mark.parametrize(
    ("day", "error"),
    [
        ("2026-12-09", "New due date: Choose today or a later date."),
        ("2036-12-11", "New due date: Choose a date within the next 10 years."),
        ("15 January", "New due date: Enter a valid date."),
    ],
)
def test_a_new_due_date_in_the_past_or_decades_ahead_is_refused(client, late, cast, day, error):
    client.force_login(cast["clerk"])
    html = client.post(url(late), {"text": "Typed words", "new_due_date": day}).content.decode()
    assert link("id_new_due_date", error) in summary(html, level=3)
    assert NOTHING not in html
    assert "Typed words" in html
    late.refresh_from_db()
    assert late.due_date == datetime.date(2026, 12, 1) and not ActionUpdate.objects.exists()


def test_today_is_a_new_due_date_that_is_taken(client, late, cast):
    client.force_login(cast["clerk"])
    assert client.post(url(late), {"new_due_date": "2026-12-10"}).status_code == 302
    late.refresh_from_db()
    assert late.due_date == datetime.date(2026, 12, 10) and not late.is_overdue

"""The date poll's admin: a closed poll stays closed, with the meeting made of it."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from polls.models import Poll, PollAnswer
from polls.services import poll_close, poll_pick
from tests.htmlforms import forms_on
from tests.polls.conftest import answer, make_poll

SAVE = {"_save": "Save"}
CLOSING_FIELDS = {"closed_at_0", "closed_at_1", "meeting"}


@pytest.fixture
def admin(client, admin_user, clock):
    client.force_login(admin_user)  # once the clock stands still: the session lasts from then
    return client


def change_form(client, poll):
    """The poll's admin URL and its form as the page shows it."""
    url = reverse("admin:polls_poll_change", args=[poll.pk])
    [form] = [f for f in forms_on(client.get(url).content.decode()) if "_save" in f.fields]
    return url, form


def test_a_picked_poll_cannot_be_reopened_or_unlinked_in_admin(admin, poll):
    _, form = change_form(admin, poll)
    assert CLOSING_FIELDS.issubset(form.fields)  # while open, admin may close it
    option = poll.options.order_by("starts_at").first()
    meeting = poll_pick(poll=poll, option=option)
    url, form = change_form(admin, poll)
    assert not CLOSING_FIELDS & set(form.fields)
    # What a form that still had the fields would send: no closed date, no meeting.
    response = admin.post(url, form.values() | dict.fromkeys(CLOSING_FIELDS, "") | SAVE)
    assert response.status_code == 302
    poll.refresh_from_db()
    assert (poll.is_open, poll.chosen, poll.meeting) == (False, option, meeting)


def test_a_poll_closed_without_a_date_stays_closed(admin, poll):
    poll_close(poll=poll)
    poll.refresh_from_db()
    closed_at = poll.closed_at
    url, form = change_form(admin, poll)
    assert "closed_at_0" not in form.fields
    admin.post(url, form.values() | dict.fromkeys(CLOSING_FIELDS, "") | SAVE)
    poll.refresh_from_db()
    assert poll.closed_at == closed_at


def test_a_closed_polls_dates_stay_as_they_were(admin, poll):
    _, form = change_form(admin, poll)
    assert "options-0-starts_at_0" in form.fields  # while open, admin may change them
    option = poll.options.order_by("starts_at").first()
    poll_pick(poll=poll, option=option)
    url, form = change_form(admin, poll)
    assert not {"options-0-starts_at_0", "options-0-DELETE"} & set(form.fields)
    # What a form that still had them would send: the picked date deleted.
    deleting = {"options-0-id": str(option.pk), "options-0-poll": str(poll.pk)}
    admin.post(url, form.values() | deleting | {"options-0-DELETE": "on"} | SAVE)
    poll.refresh_from_db()
    assert poll.chosen == option
    assert poll.options.count() == 3


def test_an_answer_to_a_closed_poll_stays_as_it_was(admin, poll, citizen):
    answer(poll, citizen, "yes", "no", "no")
    given = PollAnswer.objects.get(person=citizen, answer="yes")
    url = reverse("admin:polls_pollanswer_change", args=[given.pk])
    assert 'name="answer"' in admin.get(url).content.decode()  # while open, admin may change it
    poll_pick(poll=poll, option=given.option)
    assert 'name="answer"' not in admin.get(url).content.decode()
    admin.post(url, {"option": given.option_id, "person": citizen.pk, "answer": "no"} | SAVE)
    delete = reverse("admin:polls_pollanswer_delete", args=[given.pk])
    response = admin.post(delete, {"post": "yes"})
    assert response.url == url
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "An answer to a closed date poll stays as it was when the poll closed."
    ]
    given.refresh_from_db()
    assert given.answer == "yes"


def delete_selected(client, model_name, objs, confirm=False):
    """Django admin's "delete selected" action on objs, from their list; confirmed if asked."""
    data = {"action": "delete_selected", "_selected_action": [obj.pk for obj in objs]}
    if confirm:
        data["post"] = "yes"
    return client.post(reverse(f"admin:polls_{model_name}_changelist"), data, follow=True)


def test_deleting_a_selection_keeps_the_closed_polls_and_deletes_the_open_ones(admin, poll, circle):
    """Django refused the whole selection on its permission page for one closed poll in it."""
    open_poll = make_poll(circle, title="Summer dinner")
    poll_close(poll=poll)
    response = delete_selected(admin, "poll", [poll, open_poll])
    html = response.content.decode()
    assert "Are you sure you want to delete the selected date poll?" in html
    assert "Not deleted: “Spring dinner”. A closed date poll is kept" in html
    assert ">Summer dinner</a>" in html and ">Spring dinner</a>" not in html
    response = delete_selected(admin, "poll", [open_poll], confirm=True)
    assert "Successfully deleted 1 date poll." in response.content.decode()
    assert list(Poll.objects.all()) == [poll]


def test_deleting_only_closed_answers_deletes_nothing_and_says_why(admin, poll, citizen):
    answer(poll, citizen, "yes", "no", "no")
    poll_close(poll=poll)
    response = delete_selected(admin, "pollanswer", PollAnswer.objects.all())
    html = response.content.decode()
    assert "Are you sure" not in html
    assert "An answer to a closed date poll stays as it was when the poll closed." in html
    assert PollAnswer.objects.count() == 3


def test_nothing_of_a_closed_poll_changes_in_admin(admin, poll, circle, other_circle):
    _, form = change_form(admin, poll)
    assert {"circle", "title", "venue_name"} <= set(form.fields)  # while open, admin may
    poll_pick(poll=poll, option=poll.options.order_by("starts_at").first())
    url, form = change_form(admin, poll)
    assert not {"circle", "title", "venue_name", "kind"} & set(form.fields)
    # What a form that still had them would send: the poll moved to another circle.
    admin.post(url, form.values() | {"circle": other_circle.pk, "title": "Moved"} | SAVE)
    poll.refresh_from_db()
    assert (poll.circle, poll.title) == (circle, "Spring dinner")


@pytest.mark.parametrize("closing", ["without a date", "on a date"])
def test_a_closed_poll_is_kept_and_admin_says_why(admin, poll, closing):
    """Closed without a date, it has no meeting to speak of: the text says so for both."""
    if closing == "without a date":
        poll_close(poll=poll)
    else:
        poll_pick(poll=poll, option=poll.options.order_by("starts_at").first())
    response = admin.post(reverse("admin:polls_poll_delete", args=[poll.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert response.url == reverse("admin:polls_poll_change", args=[poll.pk])
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "A closed date poll is kept: the members' answers refer to it, and so does its meeting"
        " if a date was picked in it."
    ]
    assert Poll.objects.filter(pk=poll.pk).exists()


def test_no_answer_is_added_to_a_closed_poll_in_admin(admin, poll, citizen):
    option = poll.options.order_by("starts_at").first()
    poll_close(poll=poll)
    response = admin.post(
        reverse("admin:polls_pollanswer_add"),
        {"option": option.pk, "person": citizen.pk, "answer": "yes"} | SAVE,
    )
    assert "This poll is closed: its answers stay as they were when it closed." in (
        response.content.decode()
    )
    assert not PollAnswer.objects.exists()


def test_a_typed_delete_address_of_nothing_says_there_is_no_such_record(admin):
    response = admin.get(reverse("admin:meetings_meeting_delete", args=[999]), follow=True)
    assert "Meeting with ID “999” doesn’t exist. Perhaps it was deleted?" in (  # noqa: RUF001
        response.content.decode()
    )

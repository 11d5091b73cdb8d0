"""A form that adds something, sent twice with its token, is carried out once (allies/once.py):
a new meeting, a recorded meeting's actions, a new poll, an action's update."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from actions.models import Action, ActionUpdate
from allies.models import SentForm
from meetings import services
from meetings.models import Meeting
from polls.models import Poll
from tests.conftest import make_meeting
from tests.meetings import test_new as meeting_new
from tests.meetings import test_record as record
from tests.polls import test_new as poll_new

AMS = ZoneInfo("Europe/Amsterdam")
TOKEN = "k7ZbqY1Q2x3n4m5p6r7s8t9u0v1w2x3y"


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 4, 20, 9, 0, tzinfo=AMS), tick=False):
        yield


def new_meeting(circle, cast):
    return meeting_new.url(circle), meeting_new.data(), Meeting.objects


def record_meeting(circle, cast):
    held = make_meeting(circle, days_ahead=-1)
    rows = [record.row("Ask for street lights", [cast["clerk"]])]
    return record.url(held), record.data([cast["clerk"]], "Good evening", rows), Action.objects


def new_poll(circle, cast):
    dates = [("2026-05-07", "18:30"), ("2026-05-21", "18:30")]
    return poll_new.URL.format(circle.pk), poll_new.post_data(*dates), Poll.objects


def action_update(circle, cast):
    lights = Action.objects.create(circle=circle, title="Ask for street lights")
    return f"/actions/{lights.pk}/update/", {"text": "Called the council"}, ActionUpdate.objects


FORMS = [new_meeting, record_meeting, new_poll, action_update]


@pytest.mark.parametrize("form", FORMS)
def test_sent_twice_it_is_carried_out_once(
    client, circle, cast, form, django_capture_on_commit_callbacks
):
    url, data, made = form(circle, cast)
    client.force_login(cast["coordinator"])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, data | {"once": TOKEN})
    emails = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(url, data | {"once": TOKEN}, follow=True)
    assert first.status_code == 302
    assert made.count() == 1
    assert len(mail.outbox) == emails  # nobody told twice
    assert again.redirect_chain == [(first.url, 302)]
    assert "This form was already sent; it is saved once." in again.content.decode()


@pytest.mark.parametrize("form", FORMS)
def test_each_form_shown_carries_its_own_token(client, circle, cast, form):
    url, _data, _made = form(circle, cast)
    page = url.removesuffix("update/") if "/actions/" in url else url
    client.force_login(cast["coordinator"])
    tokens = [
        re.findall(r'name="once" value="([\w-]+)"', client.get(page).content.decode())
        for _ in range(2)
    ]
    assert len(tokens[0]) == len(tokens[1]) == 1
    assert tokens[0] != tokens[1] and len(tokens[0][0]) >= 32


def test_a_meetings_edit_page_carries_no_token(client, circle, cast):
    meeting = make_meeting(circle, days_ahead=7)
    client.force_login(cast["coordinator"])
    html = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert 'name="venue_name"' in html and 'name="once"' not in html


def test_a_form_shown_again_with_errors_keeps_its_token(client, circle, cast):
    url, data, made = new_meeting(circle, cast)
    client.force_login(cast["coordinator"])
    html = client.post(url, data | {"venue_name": "", "once": TOKEN}).content.decode()
    assert f'name="once" value="{TOKEN}"' in html
    assert client.post(url, data | {"once": TOKEN}).status_code == 302
    assert made.count() == 1


def test_two_forms_with_their_own_tokens_both_count(client, circle, cast):
    url, data, made = new_meeting(circle, cast)
    client.force_login(cast["coordinator"])
    client.post(url, data | {"once": TOKEN})
    client.post(url, data | {"date": "2026-05-14", "once": TOKEN[::-1]})
    assert made.count() == 2


def test_without_a_token_the_form_is_carried_out(client, circle, cast):
    url, data, made = new_meeting(circle, cast)
    client.force_login(cast["coordinator"])
    client.post(url, data)
    client.post(url, data)
    assert made.count() == 2
    assert not SentForm.objects.exists()


def test_work_that_fails_leaves_the_token_free(client, circle, cast, monkeypatch):
    url, data, made = new_meeting(circle, cast)
    client.force_login(cast["coordinator"])
    schedule = services.meeting_schedule

    def fails(**kwargs):
        schedule(**kwargs)
        raise RuntimeError("the mail server is down")

    monkeypatch.setattr(services, "meeting_schedule", fails)
    with pytest.raises(RuntimeError):
        client.post(url, data | {"once": TOKEN})
    assert not made.exists() and not SentForm.objects.exists()
    monkeypatch.setattr(services, "meeting_schedule", schedule)
    assert client.post(url, data | {"once": TOKEN}).status_code == 302
    assert made.count() == 1


def test_tokens_are_kept_for_a_day(client, circle, cast):
    url, data, _made = new_meeting(circle, cast)
    client.force_login(cast["coordinator"])
    client.post(url, data | {"once": TOKEN})
    with time_machine.travel(datetime.datetime(2026, 4, 21, 9, 1, tzinfo=AMS), tick=False):
        client.post(url, data | {"date": "2026-05-14", "once": TOKEN[::-1]})
    assert list(SentForm.objects.values_list("token", flat=True)) == [TOKEN[::-1]]

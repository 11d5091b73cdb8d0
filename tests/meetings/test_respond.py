import datetime
import re
import zoneinfo
from html import unescape

import pytest
import time_machine
from django.db import IntegrityError
from django.db.models import QuerySet

from meetings.models import Response
from tests.conftest import make_meeting


def url(meeting):
    return f"/meetings/{meeting.pk}/respond/"


def test_anonymous_is_sent_to_sign_in(client, meeting):
    response = client.post(url(meeting), {"answer": "attending"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not Response.objects.exists()


def test_outsider_gets_404(client, meeting, outsider):
    client.force_login(outsider)
    assert client.get(url(meeting)).status_code == 404
    assert client.post(url(meeting), {"answer": "attending"}).status_code == 404
    assert not Response.objects.exists()


def test_dietary_needs_are_prefilled_from_my_profile(client, meeting, citizen):
    client.force_login(citizen)
    html = client.get(url(meeting)).content.decode()
    assert 'value="halal"' in html
    assert "Only you and the coordinators see this." in html


def test_the_dietary_needs_say_when_they_go_and_link_to_the_privacy_statement(
    client, meeting, citizen, settings
):
    settings.DIETARY_NEEDS_RETENTION_DAYS = 14
    client.force_login(citizen)
    html = client.get(url(meeting)).content.decode()
    assert (
        "It is erased 14 days after the dinner. "
        '<a href="/privacy/#dietary-needs" target="_blank" rel="noopener">'
        "How the site handles them (opens in a new tab)</a>"
    ) in html  # not in this tab: what was typed in the form would be lost


def test_the_form_shows_my_earlier_answer(client, meeting, citizen):
    Response.objects.create(
        meeting=meeting, person=citizen, answer="maybe", dietary_needs="no pork", note="Late"
    )
    client.force_login(citizen)
    html = client.get(url(meeting)).content.decode()
    assert re.search(r'value="maybe"[^>]*checked', html)
    assert not re.search(r'value="(attending|not_attending)"[^>]*checked', html)
    assert 'name="answer" value=""' not in html
    assert 'value="no pork"' in html and 'value="Late"' in html
    assert 'value="halal"' not in html


def test_answering_stores_and_changing_replaces(client, meeting, citizen):
    client.force_login(citizen)
    response = client.post(
        url(meeting), {"answer": "attending", "dietary_needs": "halal", "note": "With my son?"}
    )
    assert response.status_code == 302
    assert response.url == f"/meetings/{meeting.pk}/"
    client.post(url(meeting), {"answer": "not_attending", "dietary_needs": "", "note": ""})
    stored = Response.objects.get()
    assert (stored.person, stored.answer, stored.dietary_needs) == (citizen, "not_attending", "")
    html = client.get(response.url).content.decode()
    assert "Your answer is saved." in html and "Not attending" in html


def test_a_one_click_answer_keeps_dietary_needs_and_note(client, meeting, citizen):
    Response.objects.create(
        meeting=meeting, person=citizen, answer="maybe", dietary_needs="no pork", note="Late"
    )
    client.force_login(citizen)
    response = client.post(url(meeting), {"answer": "attending", "next": "/"})
    assert response.status_code == 302 and response.url == "/"
    stored = Response.objects.get()
    assert (stored.answer, stored.dietary_needs, stored.note) == ("attending", "no pork", "Late")


def test_a_first_one_click_answer_takes_dietary_needs_from_the_profile(client, meeting, citizen):
    client.force_login(citizen)
    client.post(url(meeting), {"answer": "attending"})
    assert Response.objects.get().dietary_needs == "halal"


def test_a_first_one_click_no_takes_no_dietary_needs(client, meeting, citizen):
    """Special-category data that nobody cooks for, as for a "no" carried from a date poll."""
    client.force_login(citizen)
    client.post(url(meeting), {"answer": "not_attending"})
    assert Response.objects.get().dietary_needs == ""


# A Thursday: a week later is Thursday 3 December 2026.
NOW = datetime.datetime(2026, 11, 26, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("language", "answer", "kind", "expected"),
    [
        ("en", "attending", "dinner", "You're coming to the dinner of Thursday 3 December 2026."),
        (
            "en",
            "not_attending",
            "dinner",
            "You can't come to the dinner of Thursday 3 December 2026.",
        ),
        (
            "en",
            "maybe",
            "extra",
            "You might come to the extra meeting of Thursday 3 December 2026.",
        ),
        (
            "nl",
            "attending",
            "extra",
            "Je komt naar de extra bijeenkomst van donderdag 3 december 2026.",
        ),
        (
            "nl",
            "not_attending",
            "dinner",
            "Je kunt niet naar het diner van donderdag 3 december 2026 komen.",
        ),
        (
            "nl",
            "maybe",
            "dinner",
            "Je komt misschien naar het diner van donderdag 3 december 2026.",
        ),
    ],
)
def test_a_one_click_answer_names_the_meeting(
    client, circle, clerk, language, answer, kind, expected
):
    clerk.preferred_language = language
    clerk.save()
    meeting = make_meeting(circle, kind=kind)
    client.force_login(clerk)
    response = client.post(url(meeting), {"answer": answer, "next": "/"}, follow=True)
    assert expected in unescape(response.content.decode())


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "You're coming to the extra meeting “After the unrest” of Thursday 3 December 2026. "
            "Your answer includes the dietary needs from your profile.",
        ),
        (
            "nl",
            "Je komt naar de extra bijeenkomst “After the unrest” van donderdag 3 december 2026. "
            "Je antwoord bevat de dieetwensen uit je profiel.",
        ),
    ],
)
def test_a_first_one_click_answer_says_it_took_the_dietary_needs(
    client, circle, citizen, language, expected
):
    citizen.preferred_language = language
    citizen.save()
    meeting = make_meeting(circle, kind="extra", title="After the unrest")
    client.force_login(citizen)
    response = client.post(url(meeting), {"answer": "attending", "next": "/"}, follow=True)
    assert expected in unescape(response.content.decode())
    # Changed to "can't come", the answer keeps them, but nobody cooks for an absent member;
    # a later answer keeps what the first one had, so there is nothing new to tell.
    for answer in ("not_attending", "attending"):
        response = client.post(url(meeting), {"answer": answer, "next": "/"}, follow=True)
        page = response.content.decode()
        assert "dietary needs from your profile" not in page
        assert "dieetwensen uit je profiel" not in page


def test_next_must_stay_on_this_site(client, meeting, citizen):
    client.force_login(citizen)
    response = client.post(url(meeting), {"answer": "maybe", "next": "https://evil.example/"})
    assert response.url == f"/meetings/{meeting.pk}/"


def test_bad_input_keeps_the_form_and_saves_nothing(client, meeting, citizen):
    client.force_login(citizen)
    response = client.post(
        url(meeting), {"answer": "perhaps", "dietary_needs": "vegan", "note": "Typed note"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    assert 'value="vegan"' in html and 'value="Typed note"' in html
    assert not Response.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_answers_once_the_meeting_started(client, meeting, citizen, method):
    with time_machine.travel(meeting.starts_at + datetime.timedelta(minutes=1)):
        client.force_login(citizen)
        response = getattr(client, method)(url(meeting), {"answer": "attending"}, follow=True)
    html = response.content.decode()
    assert "This meeting no longer takes answers." in html
    assert 'name="answer"' not in html
    assert not Response.objects.exists()


def test_a_cancelled_meeting_takes_no_answers(client, meeting, citizen):
    meeting.cancel()
    client.force_login(citizen)
    response = client.post(url(meeting), {"answer": "attending"}, follow=True)
    assert "This meeting no longer takes answers." in response.content.decode()
    assert not Response.objects.exists()


def test_a_double_submit_does_not_create_two_answers(client, meeting, citizen, monkeypatch):
    """The other submit inserts between our look-up and our insert; ours then updates it."""
    original = QuerySet.update_or_create
    calls = []

    def racing(self, *args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            Response.objects.create(meeting=meeting, person=citizen, answer="maybe")
            raise IntegrityError("UNIQUE constraint failed")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "update_or_create", racing)
    client.force_login(citizen)
    response = client.post(url(meeting), {"answer": "attending", "dietary_needs": "halal"})
    assert response.status_code == 302
    assert len(calls) == 2
    stored = Response.objects.get()
    assert stored.answer == "attending"


def test_other_members_meetings_are_out_of_reach(client, other_circle, citizen):
    theirs = make_meeting(other_circle)
    client.force_login(citizen)
    assert client.post(url(theirs), {"answer": "attending"}).status_code == 404


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"note": "n" * 501}, "Ensure this value has at most 500 characters"),
        ({"note": "Later\x00"}, "Null characters are not allowed."),
        ({"note": "Later\r\nthan usual"}, "invisible control characters"),
        ({"dietary_needs": "vegan\x1b"}, "invisible control characters"),
    ],
)
def test_bad_text_is_refused_next_to_the_field(client, meeting, citizen, changes, error):
    client.force_login(citizen)
    values = {"answer": "attending", "dietary_needs": "vegan", "note": "Typed note"} | changes
    response = client.post(url(meeting), values)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Response.objects.exists()

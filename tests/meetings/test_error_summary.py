"""Each meeting form sent back with errors opens on its error summary ({% error_summary %},
static/js/error-summary.js): on a phone the page came back at its top, the error a screen or
more further down, and it looked as if nothing had happened."""

import pytest

from actions.models import Action
from meetings.models import Meeting, Response
from tests.conftest import make_meeting
from tests.error_summary import link, summary
from tests.formsets import formset_data

AGENDA = [{"title": "Street lights", "order": "1"}, {"title": "", "order": "5"}]

FORMS = {
    "new": (
        lambda circle, meeting: f"/circles/{circle.pk}/meetings/new/",
        {"date": "next Thursday"},
        link("id_date", "Date: Enter a valid date."),
    ),
    "edit": (
        lambda circle, meeting: f"/meetings/{meeting.pk}/edit/",
        {"date": "next Thursday"} | formset_data("agenda", AGENDA, initial=0),
        link("id_date", "Date: Enter a valid date."),
    ),
    "record": (
        lambda circle, meeting: f"/meetings/{make_meeting(circle, days_ahead=-1).pk}/record/",
        formset_data("actions", [{"title": "Street lights", "due_date": "soon"}], initial=0),
        link("id_actions-0-due_date", "New action 1 · Due date: Enter a valid date."),
    ),
    "respond": (
        lambda circle, meeting: f"/meetings/{meeting.pk}/respond/",
        {"note": "Later"},
        link("id_answer_0", "Answer: This field is required."),
    ),
    "cancel": (
        lambda circle, meeting: f"/meetings/{meeting.pk}/cancel/",
        {"reason": "x" * 301},
        link(
            "id_reason",
            "Reason for cancelling: Keep the reason to at most 300 characters (it has 301).",
        ),
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_the_form_opens_on_a_summary_linking_to_each_error(
    client, circle, coordinator, meeting, name
):
    page, data, expected = FORMS[name]
    client.force_login(coordinator)
    url = page(circle, meeting)
    saved = Meeting.objects.values("status", "starts_at", "cancel_reason", "minutes")
    before = list(saved)
    response = client.post(url, data)
    assert response.status_code == 200
    assert expected in summary(response.content.decode())
    assert list(saved) == before and not Action.objects.exists() and not Response.objects.exists()


def test_each_agenda_item_in_error_is_named_as_its_legend_names_it(client, meeting, coordinator):
    client.force_login(coordinator)
    data = {"date": "next Thursday"} | formset_data("agenda", AGENDA, initial=0)
    html = client.post(f"/meetings/{meeting.pk}/edit/", data).content.decode()
    # An error of the whole row links nowhere, but says which row.
    assert "<li>Item 2: Choose a topic or write a title.</li>" in summary(html)
    assert '<legend class="h6">Item 2</legend>' in html
    # Not twice at the top: the meeting's own fields come without crispy-forms' alert.
    assert html.count("Choose a topic or write a title.") == 2  # the summary and the row


def test_the_rows_are_named_in_the_coordinators_language(client, meeting, coordinator):
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    data = {"date": "next Thursday"} | formset_data("agenda", AGENDA, initial=0)
    html = client.post(f"/meetings/{meeting.pk}/edit/", data).content.decode()
    assert "Er is een probleem" in html
    assert "<li>Agendapunt 2: Kies een onderwerp of schrijf een titel.</li>" in html
    assert '<legend class="h6">Agendapunt 2</legend>' in html

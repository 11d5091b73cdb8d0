"""Opening a date poll (/circles/<id>/polls/new/): coordinators only, two to ten dates."""

from html import unescape

import pytest
from django.core import mail

from circles.models import Membership, Sector
from polls.models import Poll
from tests.conftest import make_person
from tests.polls.conftest import local

URL = "/circles/{}/polls/new/"


def post_data(*dates, **extra):
    data = {
        "kind": "dinner",
        "title": "Spring dinner",
        "venue_name": "Politiebureau Overvecht",
        "venue_address": "Zamenhofdreef 20",
        "venue_kind": "police_station",
        **extra,
    }
    for number, (day, time) in enumerate(dates, start=1):
        data[f"date_{number}"] = day
        data[f"time_{number}"] = time
    return data


def test_an_email_that_fails_after_the_save_is_logged_and_the_poll_stays(
    client, clock, circle, coordinator, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """A failure in the email sent once the poll is saved (beyond a refused message, which
    notify logs itself) is logged, and the poll stays. The email goes as a lambda, as every
    on_commit callback does: Django logs a failing "robust" callback by its __qualname__,
    which a functools.partial lacks, so the logging itself would raise."""

    def fails(poll_id):
        raise RuntimeError("the templates are broken")

    monkeypatch.setattr("polls.services.send_poll_opened", fails)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL.format(circle.pk), post_data(("2027-03-11", "18:30"), ("2027-03-18", "18:30"))
        )
    assert response.status_code == 302
    assert Poll.objects.get().title == "Spring dinner"
    [logged] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "in on_commit() (the templates are broken)" in logged.getMessage()


def test_the_form_is_prefilled_with_the_circles_venue_and_time(client, clock, circle, coordinator):
    circle.default_venue_name = "Stadhuis"
    circle.save()
    client.force_login(coordinator)
    html = client.get(URL.format(circle.pk)).content.decode()
    assert 'value="Stadhuis"' in html
    assert html.count('value="18:30"') == 10
    assert "More dates" in html
    assert f'<a href="/circles/{circle.pk}/" class="btn btn-link">Cancel</a>' in html


def test_a_cancelled_extra_meetings_link_prefills_its_kind(client, clock, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(URL.format(circle.pk) + "?kind=extra").content.decode()
    assert '<option value="extra" selected>' in html
    html = client.get(URL.format(circle.pk) + "?kind=nonsense").content.decode()
    assert '<option value="extra" selected>' not in html


def test_a_coordinator_opens_a_poll_and_the_members_are_asked(
    client, clock, circle, cast, django_capture_on_commit_callbacks
):
    client.force_login(cast["coordinator"])
    dates = [("2027-03-25", "19:00"), ("2027-03-11", "18:30"), ("2027-04-01", "18:30")]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL.format(circle.pk), post_data(*dates))
    poll = Poll.objects.get()
    assert response.status_code == 302
    assert response.url == f"/polls/{poll.pk}/"
    assert (poll.circle, poll.title, poll.venue_address) == (
        circle,
        "Spring dinner",
        "Zamenhofdreef 20",
    )
    assert poll.created_by == cast["coordinator"]
    assert [o.starts_at for o in poll.options.all()] == [
        local(2027, 3, 11, 18, 30),
        local(2027, 3, 25, 19, 0),
        local(2027, 4, 1, 18, 30),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "citizen@example.org",
        "clerk@example.org",
        "coordinator@example.org",
        "officer@example.org",
    ]
    message = mail.outbox[0]
    assert message.subject == "Which date suits you? Overvecht Allies"
    assert "Thursday 11 March 2027, 18:30" in message.body
    assert f"/polls/{poll.pk}/" in message.body


def test_the_email_says_why_it_came(
    client, clock, circle, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL.format(circle.pk), post_data(("2027-03-11", "18:30"), ("2027-03-18", "18:30"))
        )
    (message,) = mail.outbox
    footer = "You receive this email as a member of Overvecht Allies."
    assert f"<hr>\n<p><small>{footer}</small></p>" in message.alternatives[0][0]
    assert f"\n-- \n{footer}\n" in message.body


def test_the_invitation_to_answer_is_in_each_members_language(
    client, clock, circle, coordinator, django_capture_on_commit_callbacks
):
    dutch = make_person("henk", preferred_language="nl")
    Membership.objects.create(person=dutch, circle=circle, sector=Sector.COMMUNITY)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            URL.format(circle.pk), post_data(("2027-03-11", "18:30"), ("2027-03-18", "18:30"))
        )
    body = next(m.body for m in mail.outbox if m.to == ["henk@example.org"])
    assert "donderdag 11 maart 2027, 18:30" in body


@pytest.mark.parametrize(
    ("dates", "error"),
    [
        ([("2027-03-11", "18:30")], "Offer at least 2 dates."),
        ([("2027-03-11", "18:30"), ("2027-02-25", "18:30")], "This date has passed."),
        (
            [("2027-03-11", "18:30"), ("2027-03-11", "18:30")],
            "This date and time is offered twice.",
        ),
        ([("2027-03-11", "18:30"), ("2027-03-18", "")], "Give a start time for this date."),
        # King's Day: the year planner never proposes it either. The error names it.
        (
            [("2027-03-11", "18:30"), ("2027-04-27", "18:30")],
            "27 April 2027 is King's Day. Choose another date.",
        ),
        ([("2027-03-11", "18:30"), ("2027-13-01", "18:30")], "Enter a valid date."),
        # Picked, the last one overflowed the meeting's end time: a 500.
        (
            [("2027-03-11", "18:30"), ("9999-12-31", "23:00")],
            "Choose a date within the next 10 years.",
        ),
    ],
)
def test_bad_dates_bring_the_form_back_and_save_nothing(
    client, clock, circle, coordinator, dates, error
):
    client.force_login(coordinator)
    response = client.post(URL.format(circle.pk), post_data(*dates))
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert error in html
    assert 'value="2027-03-11"' in html and 'value="Spring dinner"' in html
    assert not Poll.objects.exists()
    assert mail.outbox == []


def test_the_errors_are_summed_up_at_the_top_with_a_link_to_each_date(
    client, clock, circle, coordinator
):
    # On a phone the page comes back at its top, a screen or two above a date in error.
    client.force_login(coordinator)
    data = post_data(("2027-03-11", "18:30"), ("2027-02-25", "18:30"))
    data["date_6"], data["time_6"] = "2027-04-27", "18:30"
    html = client.post(URL.format(circle.pk), data).content.decode()
    summary = html.index("There is a problem")
    assert summary < html.index("<legend")
    past = html.index('<a href="#id_date_2" class="alert-link">Date 2: This date has passed.</a>')
    holiday = html.index(
        '<a href="#id_date_6" class="alert-link">'
        "Date 6: 27 April 2027 is King&#x27;s Day. Choose another date.</a>"
    )
    assert summary < past < holiday < html.index("<legend")
    # The field itself says it is in error, and which error.
    assert 'aria-invalid="true" aria-describedby="id_date_6_error" id="id_date_6"' in html


def test_an_error_of_the_whole_form_is_in_the_summary(client, clock, circle, coordinator):
    client.force_login(coordinator)
    html = client.post(URL.format(circle.pk), post_data(("2027-03-11", "18:30"))).content
    assert b"There is a problem" in html
    assert b"<li>Offer at least 2 dates.</li>" in html


def test_a_holiday_is_named_in_the_coordinators_language(client, clock, circle, coordinator):
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    data = post_data(("2027-03-11", "18:30"), ("2027-05-06", "18:30"))
    html = client.post(URL.format(circle.pk), data).content.decode()
    assert "6 mei 2027 is Hemelvaartsdag. Kies een andere datum." in html
    assert "Er is een probleem" in html
    assert not Poll.objects.exists()


def test_a_date_ten_years_ahead_is_offered_and_a_day_later_is_not(
    client, clock, circle, coordinator
):
    client.force_login(coordinator)
    data = post_data(("2037-03-01", "18:30"), ("2037-03-02", "18:30"))
    html = client.post(URL.format(circle.pk), data).content.decode()
    # Beside the one field (crispy-forms puts it in <strong>), and in the summary at the top.
    assert html.count("<strong>Choose a date within the next 10 years.</strong>") == 1
    assert 'href="#id_date_2" class="alert-link">Date 2: Choose a date within' in html
    assert html.count("Choose a date within the next 10 years.") == 2
    data = post_data(("2037-03-01", "18:30"), ("2027-03-18", "18:30"))
    assert client.post(URL.format(circle.pk), data).status_code == 302


def test_a_venue_is_required(client, clock, circle, coordinator):
    client.force_login(coordinator)
    data = post_data(("2027-03-11", "18:30"), ("2027-03-18", "18:30"), venue_name="")
    response = client.post(URL.format(circle.pk), data)
    assert "This field is required." in response.content.decode()
    assert not Poll.objects.exists()


def test_a_date_behind_more_dates_keeps_its_row_open(client, clock, circle, coordinator):
    client.force_login(coordinator)
    data = post_data(("2027-03-11", "18:30"))
    data["date_7"], data["time_7"] = "2027-01-01", "18:30"
    html = client.post(URL.format(circle.pk), data).content.decode()
    assert '<details class="mb-3" open>' in html
    assert "This date has passed." in html


def test_a_member_who_does_not_coordinate_gets_403(client, clock, circle, citizen):
    client.force_login(citizen)
    assert client.get(URL.format(circle.pk)).status_code == 403
    data = post_data(("2027-03-11", "18:30"), ("2027-03-18", "18:30"))
    assert client.post(URL.format(circle.pk), data).status_code == 403
    assert not Poll.objects.exists()


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(URL.format(circle.pk)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(URL.format(circle.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")

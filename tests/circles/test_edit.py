import datetime

import pytest

from circles.models import Circle

LINK = "https://chat.whatsapp.com/AbCdEf1234567890GhIjKl"


def url(circle):
    return f"/circles/{circle.pk}/edit/"


def data(**changes):
    values = {
        "description": "Police, town hall and neighbours of Overvecht.",
        "whatsapp_link": LINK,
        "dinners_per_year": "6",
        "preferred_weekday": "2",
        "preferred_time": "19:00",
        "dinner_minutes": "120",
        "default_venue_name": "Stadhuis",
        "default_venue_address": "Stadsplateau 1, Utrecht",
        "default_venue_kind": "town_hall",
        "reminder_days": "3",
        "commitment_text": "We eat together and keep in touch.",
    }
    values.update(changes)
    return values


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(url(circle)).status_code == 404
    assert client.post(url(circle), data()).status_code == 404


def test_a_member_who_does_not_coordinate_gets_403(client, circle, citizen):
    client.force_login(citizen)
    assert client.get(url(circle)).status_code == 403
    assert client.post(url(circle), data()).status_code == 403
    circle.refresh_from_db()
    assert circle.dinners_per_year == 5


def test_the_form_shows_the_current_settings(client, circle, coordinator):
    circle.default_venue_name = "Politiebureau Overvecht"
    circle.save()
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    assert 'value="Politiebureau Overvecht"' in html
    assert 'value="18:30"' in html
    assert "<label" in html and "WhatsApp group link" in html


def test_a_coordinator_saves_the_settings(client, circle, coordinator):
    client.force_login(coordinator)
    response = client.post(url(circle), data(), follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/"
    assert "The circle&#x27;s settings are saved." in response.content.decode()
    circle.refresh_from_db()
    assert circle.whatsapp_link == LINK
    assert circle.dinners_per_year == 6
    assert circle.preferred_weekday == 2
    assert circle.preferred_time == datetime.time(19, 0)
    assert circle.default_venue_kind == "town_hall"
    assert circle.default_venue_address == "Stadsplateau 1, Utrecht"
    assert circle.reminder_days == 3
    assert circle.commitment_text == "We eat together and keep in touch."


def test_the_whatsapp_link_may_stay_empty(client, circle, coordinator):
    client.force_login(coordinator)
    client.post(url(circle), data(whatsapp_link=""))
    circle.refresh_from_db()
    assert circle.whatsapp_link == ""
    assert circle.dinners_per_year == 6


def test_an_invite_link_is_stored_in_one_spelling(client, circle, coordinator):
    client.force_login(coordinator)
    client.post(
        url(circle), data(whatsapp_link=" https://chat.whatsapp.com/invite/AbCdEf1234567890GhIjKl/")
    )
    circle.refresh_from_db()
    assert circle.whatsapp_link == LINK


@pytest.mark.parametrize(
    "link",
    [
        "https://example.com/AbCdEf1234567890GhIjKl",
        "http://chat.whatsapp.com/AbCdEf1234567890GhIjKl",
        "https://chat.whatsapp.com/",
        "https://chat.whatsapp.com.evil.example/AbCdEf1234567890GhIjKl",
        "https://wa.me/31612345678",
        "https://chat.whatsapp.com/AbCdEf1234567890GhIjKl?next=https://evil.example",
    ],
)
def test_it_refuses_a_link_that_is_not_a_whatsapp_invite(client, circle, coordinator, link):
    client.force_login(coordinator)
    response = client.post(url(circle), data(whatsapp_link=link, default_venue_name="Typed"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a WhatsApp group invite link" in html
    assert 'value="Typed"' in html
    circle.refresh_from_db()
    assert circle.whatsapp_link == ""
    assert circle.default_venue_name == ""


@pytest.mark.parametrize("field,value", [("dinners_per_year", "13"), ("reminder_days", "-1")])
def test_it_keeps_input_on_error(client, circle, coordinator, field, value):
    client.force_login(coordinator)
    response = client.post(url(circle), data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    assert 'value="Stadhuis"' in html
    assert Circle.objects.get(pk=circle.pk).default_venue_name == ""


def test_the_commitment_text_cannot_be_blank(client, circle, coordinator):
    client.force_login(coordinator)
    response = client.post(url(circle), data(commitment_text="   "))
    assert "This field is required." in response.content.decode()
    circle.refresh_from_db()
    assert circle.commitment_text != "   "


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("description", "d" * 5001, "Ensure this value has at most 5000 characters"),
        ("commitment_text", "c" * 5001, "Ensure this value has at most 5000 characters"),
        ("description", "Police\x00town hall", "Null characters are not allowed."),
        ("commitment_text", "We eat\x1btogether", "invisible control characters"),
        ("default_venue_address", "Stadsplateau\n1", "invisible control characters"),
        ("dinners_per_year", str(10**30), "Ensure this value is less than or equal to 12."),
        ("dinner_minutes", "9" * 5000, "Enter a whole number."),
        ("preferred_time", "25:61", "Enter a valid time."),
    ],
)
def test_bad_settings_are_refused_next_to_the_field(
    client, circle, coordinator, field, value, error
):
    client.force_login(coordinator)
    response = client.post(url(circle), data(**{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'value="Stadhuis"' in html
    circle.refresh_from_db()
    assert circle.default_venue_name == "" and circle.description == ""


def test_long_texts_keep_their_line_breaks(client, circle, coordinator):
    client.force_login(coordinator)
    description = "Police, town hall and neighbours.\r\n\r\n\tSince 2019 🍲" + "d" * 4900
    response = client.post(url(circle), data(description=description))
    assert response.status_code == 302
    circle.refresh_from_db()
    assert circle.description == description.replace("\r\n", "\n")  # each break one character
    assert 'maxlength="5000"' in client.get(url(circle)).content.decode()

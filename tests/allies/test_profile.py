import datetime
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.mail.backends import locmem
from django.forms import CharField
from django.test import Client
from django.urls import reverse

from allies.forms import ProfileForm
from allies.models import User
from tests.allies.test_dutch_pages import formal_words
from tests.conftest import PASSWORD, make_person

URL = "/accounts/profile/"


def data(person, **changes):
    values = {
        "name": person.name,
        "email": person.email,
        "phone": str(person.phone),
        "organisation": person.organisation,
        "preferred_language": person.preferred_language,
        "dietary_needs": person.dietary_needs,
        "reminders_enabled": "on" if person.reminders_enabled else "",
        "current_password": "",
    }
    values.update(changes)
    return values


def link_in(message) -> str:
    """The path of the confirmation link in the email's text."""
    found = re.search(
        re.escape(settings.SITE_URL) + r"(/accounts/profile/email/[^/\s]+/)\n", message.body
    )
    assert found, message.body
    return found[1]


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_shows_my_details(client, citizen):
    citizen.organisation = "Buurtvereniging Overvecht"
    citizen.save()
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert 'value="Citizen"' in html
    assert 'value="citizen@example.org"' in html
    assert 'value="06 12345004"' in html
    assert 'value="Buurtvereniging Overvecht"' in html
    assert 'value="halal"' in html
    assert "Only the coordinators of your circles see it." in html
    assert 'href="/accounts/password_change/"' in html
    assert 'name="share" value="yes"' in html  # not shared yet


def test_it_offers_my_data_as_a_download(client, citizen):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert '<a href="/accounts/my-data/" class="btn btn-outline-secondary" download>' in html
    assert "To have your account erased, ask the coordinator of your circle." in html
    assert '<a href="/privacy/#erasure">What erasing does</a>' in html


def test_erasure_is_asked_of_the_privacy_contact_once_it_is_set(client, citizen, settings):
    settings.PRIVACY_CONTACT = "privacy@utrecht.example"
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert (
        'To have your account erased, email <a href="mailto:privacy@utrecht.example">'
        "privacy@utrecht.example</a>."
    ) in html
    assert "ask the coordinator of your circle" not in html


def test_the_dietary_needs_link_to_what_the_privacy_statement_says_of_them(client, citizen):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert (
        'Only the coordinators of your circles see it. <a href="/privacy/#dietary-needs" '
        'target="_blank" rel="noopener">How the site handles them (opens in a new tab)</a>'
    ) in html


def test_it_saves_my_details(client, citizen):
    client.force_login(citizen)
    response = client.post(
        URL,
        data(
            citizen,
            name="Fatima El Amrani",
            phone="06 23456789",
            organisation="Moskee",
            dietary_needs="vegetarian",
            reminders_enabled="",
        ),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == URL
    assert "Your details are saved." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.name == "Fatima El Amrani"
    assert citizen.phone.as_e164 == "+31623456789"
    assert citizen.organisation == "Moskee"
    assert citizen.dietary_needs == "vegetarian"
    assert citizen.reminders_enabled is False


def test_an_international_number_is_stored_in_e164(client, citizen):
    client.force_login(citizen)
    client.post(URL, data(citizen, phone="+32 470 12 34 56"))
    citizen.refresh_from_db()
    assert str(citizen.phone) == "+32470123456"


def test_a_new_language_is_used_from_the_next_page_on(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, data(citizen, preferred_language="nl"), follow=True)
    citizen.refresh_from_db()
    assert citizen.preferred_language == "nl"
    assert '<html lang="nl">' in response.content.decode()


def test_each_language_is_offered_in_its_own_name(client, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert '<option value="en">English</option>' in html
    assert '<option value="nl" selected>Nederlands</option>' in html


def test_it_keeps_input_on_a_bad_phone_number(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, data(citizen, phone="12", organisation="Typed"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid phone number" in html
    assert 'value="Typed"' in html
    citizen.refresh_from_db()
    assert citizen.organisation == ""
    assert citizen.phone.as_e164 == "+31612345004"


def test_refused_input_does_not_change_the_rest_of_the_page(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, data(citizen, phone="", email="not-an-email"))
    html = response.content.decode()
    assert "Enter a valid email address." in html
    # The stored number is still there, so sharing it is still offered.
    assert 'name="share" value="yes"' in html
    assert "Add your phone number to your details first." not in html
    citizen.refresh_from_db()
    assert citizen.phone.as_e164 == "+31612345004"


def test_changing_the_email_asks_for_the_current_password(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, data(citizen, email="new@example.org", name="Typed"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter your current password to change your email address." in html
    assert 'value="new@example.org"' in html and 'value="Typed"' in html
    citizen.refresh_from_db()
    assert (citizen.email, citizen.name) == ("citizen@example.org", "Citizen")


def test_a_wrong_password_is_refused_next_to_the_field(client, citizen):
    client.force_login(citizen)
    response = client.post(
        URL, data(citizen, email="new@example.org", current_password="not my password")
    )
    html = response.content.decode()
    assert (
        '<p id="error_1_id_current_password"><strong>That is not your current password.</strong>'
        in html
    )
    assert "not my password" not in html  # a password is never sent back
    citizen.refresh_from_db()
    assert citizen.email == "citizen@example.org"


def test_the_right_password_sends_a_link_and_changes_nothing_yet(client, citizen):
    client.force_login(citizen)
    response = client.post(
        URL,
        data(citizen, email="fatima@example.org", current_password=PASSWORD, name="Fatima"),
        follow=True,
    )
    html = response.content.decode()
    assert (
        "We sent a link to fatima@example.org. Your email address changes when you open it and "
        "confirm." in html
    )
    # The rest of the form is saved as before; the address waits for the link.
    assert "Your details are saved." in html
    assert 'value="citizen@example.org"' in html and 'value="fatima@example.org"' not in html
    citizen.refresh_from_db()
    assert (citizen.email, citizen.name) == ("citizen@example.org", "Fatima")
    [message] = mail.outbox
    assert message.to == ["fatima@example.org"]
    assert message.subject == "Confirm your new email address for Allies"
    assert link_in(message).startswith("/accounts/profile/email/")


def test_a_new_address_alone_is_told_once(client, citizen):
    """Nothing else was saved: "Your details are saved." above the message about the link
    would only push the form down, on a phone most of all."""
    client.force_login(citizen)
    response = ask_for_link(client, citizen, "fatima@example.org")
    html = client.get(response.url).content.decode()
    assert "We sent a link to fatima@example.org." in html
    assert "Your details are saved." not in html


def test_the_link_goes_out_in_my_language_whatever_the_browser_speaks(client, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    response = client.post(
        URL,
        data(citizen, email="fatima@example.org", current_password=PASSWORD),
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )
    assert "We hebben een link gestuurd naar fatima@example.org." in response.content.decode()
    [message] = mail.outbox
    assert message.subject == "Bevestig je nieuwe e-mailadres voor Bondgenoten"
    assert "Open deze link en druk op de knop om het te bevestigen:" in message.body
    assert message.extra_headers["Content-Language"] == "nl"
    html = message.alternatives[0][0]
    assert "Mijn nieuwe e-mailadres bevestigen" in html and '<html lang="nl">' in html


def test_the_email_ends_without_an_empty_footer(client, citizen):
    client.force_login(citizen)
    client.post(URL, data(citizen, email="fatima@example.org", current_password=PASSWORD))
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "<small></small>" not in html and "<hr>" not in html


def test_the_link_in_the_email_opens_the_page_that_confirms(client, citizen):
    client.force_login(citizen)
    client.post(URL, data(citizen, email="fatima@example.org", current_password=PASSWORD))
    link = link_in(mail.outbox[0])
    client.logout()  # opened on a phone that is not signed in
    assert "fatima@example.org" in client.get(link).content.decode()
    client.post(link)
    citizen.refresh_from_db()
    assert citizen.email == "fatima@example.org"


def refuse(self, messages):
    raise ConnectionRefusedError("no mail server")


def test_when_the_link_cannot_be_sent_the_page_says_so(client, citizen, monkeypatch):
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    client.force_login(citizen)
    response = client.post(
        URL, data(citizen, email="fatima@example.org", current_password=PASSWORD), follow=True
    )
    assert "We could not send a link to fatima@example.org" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.email == "citizen@example.org"


START = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def ask_for_link(client, person, email, **changes):
    return client.post(URL, data(person, email=email, current_password=PASSWORD, **changes))


def sent_to() -> list[list[str]]:
    return [message.to for message in mail.outbox]


def test_links_to_new_addresses_go_at_most_once_every_few_minutes(client, citizen):
    """Each goes to whatever address was typed: without a limit, anyone signed in could make
    the site flood someone's inbox."""
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        assert ask_for_link(client, citizen, "fatima@example.org").status_code == 302
        traveller.shift(datetime.timedelta(minutes=1))
        response = ask_for_link(client, citizen, "fatma@example.org", name="Typed")
        assert response.status_code == 429
        html = response.content.decode()
        assert (
            '<p id="error_1_id_email"><strong>We sent a link to confirm a new email address a '
            "moment ago. So that no one can flood an inbox from here, you can ask for another "
            "one in 4 minutes.</strong>" in html
        )
        assert 'value="fatma@example.org"' in html and 'value="Typed"' in html
        citizen.refresh_from_db()
        assert citizen.name == "Citizen"  # nothing saved
        assert sent_to() == [["fatima@example.org"]]
        traveller.shift(settings.EMAIL_CHANGE_EMAIL_INTERVAL - datetime.timedelta(minutes=1))
        assert ask_for_link(client, citizen, "fatma@example.org").status_code == 302
    assert sent_to() == [["fatima@example.org"], ["fatma@example.org"]]


def test_the_limit_is_told_in_my_language(client, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(client, citizen, "fatima@example.org")
        traveller.shift(settings.EMAIL_CHANGE_EMAIL_INTERVAL - datetime.timedelta(seconds=30))
        html = ask_for_link(client, citizen, "fatma@example.org").content.decode()
    assert (
        "We hebben net een link gestuurd om een nieuw e-mailadres te bevestigen. Om te voorkomen "
        "dat iemand via deze site een inbox overspoelt, kun je pas over 1 minuut een nieuwe "
        "aanvragen." in html
    )
    assert formal_words(html) == []


def test_a_link_that_could_not_be_sent_does_not_count(client, citizen, monkeypatch):
    client.force_login(citizen)
    with time_machine.travel(START, tick=False):
        with monkeypatch.context() as mail_server_down:
            mail_server_down.setattr(locmem.EmailBackend, "send_messages", refuse)
            ask_for_link(client, citizen, "fatima@example.org")
        assert mail.outbox == []
        assert ask_for_link(client, citizen, "fatima@example.org").status_code == 302
        # The one that went does count.
        assert ask_for_link(client, citizen, "fatma@example.org").status_code == 429
    assert sent_to() == [["fatima@example.org"]]


WAITING = (
    "Your new email address <strong>fatima@example.org</strong> is waiting for confirmation: we "
    "sent a link there on 2 March 2026, 13:00, which works until 5 March 2026, 13:00."
)


def test_a_change_waiting_for_confirmation_is_shown_with_its_dates(client, citizen):
    client.force_login(citizen)
    assert "is waiting for confirmation" not in client.get(URL).content.decode()
    with time_machine.travel(START, tick=False):  # 13:00 in Amsterdam
        html = client.get(ask_for_link(client, citizen, "fatima@example.org").url).content.decode()
    assert WAITING in html
    assert 'value="citizen@example.org"' in html  # the address itself is still the old one
    form = html[html.index(WAITING) : html.index("</form>", html.index(WAITING))]
    assert 'action="/accounts/profile/email/cancel/"' in form and "csrfmiddlewaretoken" in form
    assert "Cancel this change</button>" in form
    citizen.refresh_from_db()
    assert citizen.pending_email == "fatima@example.org"


def test_the_waiting_change_is_told_in_dutch(client, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    with time_machine.travel(START, tick=False):
        html = client.get(ask_for_link(client, citizen, "fatima@example.org").url).content.decode()
    assert (
        "Je nieuwe e-mailadres <strong>fatima@example.org</strong> wacht op bevestiging: we "
        "hebben er op 2 maart 2026, 13:00 een link naartoe gestuurd, die werkt tot 5 maart 2026, "
        "13:00." in html
    )
    assert "Deze wijziging annuleren</button>" in html
    assert formal_words(html) == []


def test_a_change_whose_link_expired_is_not_shown_as_waiting(client, citizen):
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(client, citizen, "fatima@example.org")
        traveller.shift(datetime.timedelta(days=3, minutes=-1))
        assert "fatima@example.org" in client.get(URL).content.decode()
        traveller.shift(datetime.timedelta(minutes=1))
        html = client.get(URL).content.decode()
    assert "fatima@example.org" not in html and "Cancel this change" not in html


def test_a_link_that_could_not_be_sent_leaves_nothing_waiting(client, citizen, monkeypatch):
    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse)
    client.force_login(citizen)
    ask_for_link(client, citizen, "fatima@example.org")
    assert "is waiting for confirmation" not in client.get(URL).content.decode()
    citizen.refresh_from_db()
    assert citizen.pending_email == ""


def test_a_failed_link_keeps_the_change_that_was_waiting(client, citizen, monkeypatch):
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(client, citizen, "fatima@example.org")
        traveller.shift(settings.EMAIL_CHANGE_EMAIL_INTERVAL)
        with monkeypatch.context() as mail_server_down:
            mail_server_down.setattr(locmem.EmailBackend, "send_messages", refuse)
            ask_for_link(client, citizen, "fatma@example.org")
        assert WAITING in client.get(URL).content.decode()
        client.logout()
        client.post(link_in(mail.outbox[0]))
    citizen.refresh_from_db()
    assert citizen.email == "fatima@example.org"


def test_asking_again_for_the_waiting_address_says_the_link_went(client, citizen):
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(client, citizen, "fatima@example.org")
        traveller.shift(datetime.timedelta(minutes=1))
        response = client.post(
            URL,
            data(citizen, email="Fatima@example.org", current_password=PASSWORD, name="Typed"),
            follow=True,
        )
    html = response.content.decode()
    assert (
        "We already sent a link to fatima@example.org a moment ago. Your email address changes "
        "when you open it and confirm." in html
    )
    assert "Your details are saved." in html and "you can ask for another one" not in html
    assert sent_to() == [["fatima@example.org"]]  # no second email
    citizen.refresh_from_db()
    assert (citizen.name, citizen.pending_email) == ("Typed", "fatima@example.org")


def test_a_newer_address_asked_for_ends_the_link_to_the_older_one(client, citizen):
    client.force_login(citizen)
    with time_machine.travel(START, tick=False) as traveller:
        ask_for_link(client, citizen, "fatima@example.org")
        traveller.shift(settings.EMAIL_CHANGE_EMAIL_INTERVAL)
        ask_for_link(client, citizen, "fatma@example.org")
        html = client.get(URL).content.decode()
        assert "<strong>fatma@example.org</strong> is waiting" in html
        assert "<strong>fatima@example.org</strong>" not in html
        older, newer = (link_in(message) for message in mail.outbox)
        client.logout()
        assert client.post(older).context["reason"] == "replaced"
        client.post(newer)
    citizen.refresh_from_db()
    assert (citizen.email, citizen.pending_email) == ("fatma@example.org", "")


def test_other_changes_need_no_password(client, citizen):
    client.force_login(citizen)
    client.post(URL, data(citizen, email="CITIZEN@example.org", name="New name"))
    citizen.refresh_from_db()
    assert citizen.name == "New name"
    # Another case is the same address: it needs no link.
    assert citizen.email == "CITIZEN@example.org"
    assert mail.outbox == []


def test_whether_an_address_is_taken_is_told_only_after_the_password(client, citizen):
    make_person("other", email="taken@example.org")
    client.force_login(citizen)
    for password in ("", "not my password"):
        response = client.post(
            URL, data(citizen, email="taken@example.org", current_password=password)
        )
        assert "Someone else already uses" not in response.content.decode()


def test_an_email_address_of_someone_else_is_refused(client, citizen):
    make_person("other", email="taken@example.org")
    client.force_login(citizen)
    response = client.post(URL, data(citizen, email="TAKEN@example.org", current_password=PASSWORD))
    assert "Someone else already uses this email address." in response.content.decode()
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1


@pytest.mark.parametrize("field", ["name", "email"])
def test_name_and_email_are_required(client, citizen, field):
    client.force_login(citizen)
    response = client.post(URL, data(citizen, **{field: ""}, current_password=PASSWORD))
    assert "This field is required." in response.content.decode()
    citizen.refresh_from_db()
    assert getattr(citizen, field) != ""


def test_removing_the_phone_number_withdraws_the_consent(client, officer):
    client.force_login(officer)
    client.post(URL, data(officer, phone=""))
    officer.refresh_from_db()
    assert not officer.phone
    assert officer.phone_shared_at is None


def test_it_shows_my_calendar_feed(client, citizen):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert "webcal://" in html and f"/calendar/{citizen.feed_token}.ics" in html
    assert html.index("Change my password") < html.index(citizen.feed_token) < html.index("</main>")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"phone": "+31 6 1234"}, "Enter a valid phone number"),
        ({"phone": "call me"}, "Enter a valid phone number"),
        ({"phone": "+31612345004\x00"}, "Null characters are not allowed."),
        ({"organisation": "Wijkteam\x00"}, "Null characters are not allowed."),
        ({"organisation": "Wijk\nteam"}, "invisible control characters"),
        ({"dietary_needs": "ha\x0blal"}, "invisible control characters"),
        ({"dietary_needs": "h" * 201}, "Ensure this value has at most 200 characters"),
    ],
)
def test_bad_details_are_refused_next_to_the_field(client, citizen, changes, error):
    client.force_login(citizen)
    response = client.post(URL, data(citizen, name="Typed Name", **changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert 'value="Typed Name"' in html
    citizen.refresh_from_db()
    assert citizen.name == "Citizen"
    assert str(citizen.phone) == "+31612345004" and citizen.dietary_needs == "halal"


def test_a_phone_number_in_any_common_form_is_stored_internationally(client, citizen):
    client.force_login(citizen)
    response = client.post(URL, data(citizen, phone="06 1234 5678", name="Ça va 🍲 سلام"))
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert str(citizen.phone) == "+31612345678" and citizen.name == "Ça va 🍲 سلام"


# The password check for a new address counts as a sign-in for django-axes: the same limit,
# the same pause, for the same username and address.


def post_wrong_password(client, person, **changes):
    return client.post(
        URL,
        data(person, email="fatima@example.org", current_password="not my password", **changes),
    )


def test_wrong_passwords_are_paused_and_then_the_right_one_changes_nothing(client, citizen):
    client.force_login(citizen)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = post_wrong_password(client, citizen)
        assert response.status_code == 200
        assert "That is not your current password." in response.content.decode()
    response = post_wrong_password(client, citizen, name="Typed")
    assert response.status_code == 429
    html = response.content.decode()
    assert (
        "Too many wrong passwords. For your safety, changing your email address is paused for "
        f"{settings.AXES_COOLOFF_TIME.seconds // 60} minutes." in html
    )
    assert 'value="Typed"' in html  # the form comes back, with what was typed
    response = client.post(
        URL, data(citizen, email="fatima@example.org", current_password=PASSWORD)
    )
    assert response.status_code == 429
    assert "paused" in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.email == "citizen@example.org"
    assert mail.outbox == []
    # Like failed sign-ins, they pause signing in with this name from this address too.
    sign_in = Client().post(reverse("login"), {"username": "citizen", "password": PASSWORD})
    assert sign_in.status_code == 429


def test_fewer_wrong_passwords_leave_the_right_one_working(client, citizen):
    client.force_login(citizen)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_wrong_password(client, citizen)
    response = client.post(
        URL, data(citizen, email="fatima@example.org", current_password=PASSWORD)
    )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["fatima@example.org"]]
    # And clears them, as a successful sign-in does (AXES_RESET_ON_SUCCESS): the next typo
    # is the first again.
    assert not AccessAttempt.objects.exists()
    response = post_wrong_password(client, citizen)
    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    [attempt] = AccessAttempt.objects.all()
    assert attempt.failures_since_start == 1


def test_while_paused_the_other_details_can_still_be_saved(client, citizen):
    client.force_login(citizen)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        paused = post_wrong_password(client, citizen)
    assert paused.status_code == 429
    response = client.post(URL, data(citizen, name="New name"))
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.name == "New name"


def test_a_failed_check_keeps_no_password_or_details_in_the_throttles_records(client, citizen):
    typed = {
        "name": "Zeynep Typedname",
        "email": "zeynep@typed.example",
        "current_password": "typed wrong password",
        "phone": "+31698765432",
        "organisation": "Typed Organisation",
        "dietary_needs": "typed diet",
    }
    form = ProfileForm(instance=citizen, request=None)
    text_fields = {name for name, field in form.fields.items() if isinstance(field, CharField)}
    # A text field added to the form later must be added here and to AXES_SENSITIVE_PARAMETERS.
    assert text_fields == set(typed)
    client.force_login(citizen)
    assert client.post(URL, data(citizen, **typed)).status_code == 200
    [attempt] = AccessAttempt.objects.all()
    assert attempt.username == "citizen"
    for value in typed.values():
        assert value not in attempt.post_data

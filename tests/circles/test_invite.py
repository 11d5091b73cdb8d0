import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from allies.models import User
from circles import services
from circles.models import Circle, Invitation, Membership
from tests.conftest import make_person


def url(circle):
    return f"/circles/{circle.pk}/members/invite/"


def data(**changes):
    values = {
        "name": "Noor Bakker",
        "email": "Noor@Example.org",
        "phone": "06 11112222",
        "sector": "community",
        "language": "en",
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
    assert not User.objects.filter(email__iexact="noor@example.org").exists()


def test_a_member_who_does_not_coordinate_gets_403(client, circle, citizen):
    client.force_login(citizen)
    assert client.get(url(circle)).status_code == 403
    assert client.post(url(circle), data()).status_code == 403
    assert not User.objects.filter(email__iexact="noor@example.org").exists()


def test_the_form_has_a_label_for_every_field(client, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    for field in ("name", "email", "phone", "sector", "language"):
        assert f'for="id_{field}"' in html


def test_the_sector_is_chosen_not_assumed(client, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    assert '<option value="" selected>Choose a sector</option>' in html
    response = client.post(url(circle), data(sector=""))
    assert response.status_code == 200
    assert not User.objects.filter(email__iexact="noor@example.org").exists()


def test_a_new_person_gets_an_account_and_an_email_to_choose_a_password(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(circle), data(), follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/"
    assert "An invitation is on its way to Noor@Example.org." in response.content.decode()

    person = User.objects.get(email="Noor@Example.org")
    assert person.name == "Noor Bakker"
    assert str(person.phone) == "+31611112222"
    assert person.phone_shared_at is None
    assert person.username == "noor@example.org"
    membership = person.memberships.get()
    assert (membership.circle, membership.sector) == (circle, "community")
    assert not membership.is_coordinator

    (message,) = mail.outbox
    assert message.to == ["Noor@Example.org"]
    assert message.subject == "Coordinator invites you to Overvecht Allies"
    assert "You are then signed in. Next time, sign in with your username: noor@example.org" in (
        message.body
    )
    # As long as the link works: Django's PASSWORD_RESET_TIMEOUT, three days by default.
    assert "The link works for 3 days." in message.body
    privacy = "How Allies handles your personal data, who sees it and how long it stays:"
    assert f"\n-- \n{privacy}\nhttp://127.0.0.1:8000/privacy/\n" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    link = re.search(r"http://\S+/accounts/reset/\S+/", message.body).group()
    assert f'href="{link}"' in html
    assert f'{privacy} <a href="http://127.0.0.1:8000/privacy/">' in html

    # The link lets the new person choose a password and sign in with it.
    visitor = Client()
    form_page = visitor.get(link.removeprefix("http://127.0.0.1:8000"), follow=True)
    assert "Choose a password" in form_page.content.decode()
    new_password = "a long dinner in Overvecht"
    visitor.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    person.refresh_from_db()
    assert person.check_password(new_password)
    assert visitor.login(username="noor@example.org", password=new_password)


def invite_new(client, coordinator, capture, **coordinator_changes):
    """The coordinator (changed first) invites Noor, who has no account, in the language the
    form proposes them (their own): the one email."""
    for name, value in coordinator_changes.items():
        setattr(coordinator, name, value)
    coordinator.save()
    client.force_login(coordinator)
    with capture(execute=True):
        client.post(
            url(coordinator.memberships.get().circle),
            data(language=coordinator.preferred_language),
        )
    (message,) = mail.outbox
    return message


FROM_COORDINATOR_NL = "Coordinator, coördinator van Overvecht Allies (Utrecht),"


def test_the_form_proposes_the_language_of_the_inviting_page(client, circle, coordinator):
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    html = client.get(url(circle)).content.decode()
    assert '<option value="nl" selected>Nederlands</option>' in html
    assert '<option value="en">English</option>' in html


def test_a_dutch_coordinator_invites_a_citizen_in_english(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    """Not every resident reads Dutch best: the coordinator chooses the newcomer's language."""
    coordinator.preferred_language = "nl"
    coordinator.save()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(circle), data(language="en"))
    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "en"
    assert message.subject == "Coordinator invites you to Overvecht Allies"
    assert User.objects.get(email="Noor@Example.org").preferred_language == "en"


def test_the_email_is_in_the_language_chosen_on_the_form(
    client, coordinator, django_capture_on_commit_callbacks
):
    message = invite_new(
        client, coordinator, django_capture_on_commit_callbacks, preferred_language="nl"
    )
    assert message.extra_headers["Content-Language"] == "nl"
    assert '<html lang="nl">' in message.alternatives[0][0]
    assert User.objects.get(email="Noor@Example.org").preferred_language == "nl"
    assert message.subject == "Coordinator nodigt je uit voor Overvecht Allies"
    for text in (message.body, message.alternatives[0][0]):
        assert f"{FROM_COORDINATOR_NL} nodigt je uit om mee te doen met de kring." in text


def test_the_new_persons_email_names_the_coordinator_who_invites(
    client, coordinator, django_capture_on_commit_callbacks
):
    """A password link from an unknown sender looks like phishing; a name they may know not."""
    message = invite_new(
        client, coordinator, django_capture_on_commit_callbacks, name="Sanne de Vries"
    )
    assert message.subject == "Sanne de Vries invites you to Overvecht Allies"
    sentence = (
        "Sanne de Vries, coordinator of Overvecht Allies (Utrecht), invites you to join the "
        "circle. In it, police, municipality and active residents meet for dinner"
    )
    html = message.alternatives[0][0]
    assert sentence in message.body and sentence in html
    assert "<title>Sanne de Vries invites you to Overvecht Allies</title>" in html


def test_the_inviters_name_is_escaped_in_html(
    client, coordinator, django_capture_on_commit_callbacks
):
    name = "Sanne <b>de Vries</b>"
    message = invite_new(client, coordinator, django_capture_on_commit_callbacks, name=name)
    assert "Sanne &lt;b&gt;de Vries&lt;/b&gt;, coordinator of" in message.alternatives[0][0]
    assert f"{name}, coordinator of" in message.body


def test_without_an_inviter_the_emails_name_nobody(circle, outsider, mailoutbox):
    """The inviter's account may be deleted before a later send (Invitation.invited_by is
    SET_NULL): the emails then say the same without a name rather than "None invites you"."""
    newcomer = make_person("noor", name="Noor Bakker")
    services.send_invitation(person=newcomer, circle=circle, language="en", by=None)
    invitation = Invitation.objects.create(circle=circle, person=outsider, sector="police")
    services.send_invitation_to_join(invitation)
    assert [m.subject for m in mailoutbox] == ["You are invited to Overvecht Allies"] * 2
    neutral = "You are invited to join Overvecht Allies (Utrecht): police, municipality"
    for message in mailoutbox:
        for text in (message.body, message.alternatives[0][0]):
            assert neutral in text
            assert "None" not in text
            assert "coordinator of Overvecht Allies (Utrecht)" not in text


@pytest.mark.parametrize(
    ("language", "intro"),
    [
        (
            "en",
            "Admin invites you to join Overvecht Allies (Utrecht): police, municipality and "
            "active residents who meet for dinner five times a year and agree on actions",
        ),
        (
            "nl",
            "Admin nodigt je uit om mee te doen met Overvecht Allies (Utrecht): politie, "
            "gemeente en actieve bewoners die vijf keer per jaar samen eten",
        ),
    ],
)
def test_an_inviter_who_does_not_coordinate_the_circle_is_not_called_its_coordinator(
    circle, admin_user, coordinator, outsider, mailoutbox, language, intro
):
    """Site staff send the welcome from the admin (person_welcome), and a coordinator who
    asked someone to join may have stepped down since: "Admin, coordinator of ..." was
    untrue."""
    newcomer = make_person("noor", name="Noor Bakker")
    services.send_invitation(person=newcomer, circle=circle, language=language, by=admin_user)
    invitation = Invitation.objects.create(
        circle=circle, person=outsider, sector="police", invited_by=coordinator
    )
    coordinator.memberships.update(is_coordinator=False)
    services.send_invitation_to_join(invitation)  # in the outsider's English
    welcome, question = mailoutbox
    assert intro in welcome.body and intro in welcome.alternatives[0][0]
    assert "Coordinator invites you to join Overvecht Allies (Utrecht): police" in question.body
    assert ", coordinator of" not in question.body
    assert ", coordinator of" not in welcome.body and ", coördinator van" not in welcome.body


AGREE_EN = (
    "Being an ally is a commitment. When you have chosen your password, you are asked to agree "
    "to the circle's commitment, which reads:"
)
AGREE_NL = (
    "Bondgenoot zijn is een toezegging. Als je je wachtwoord hebt gekozen, vragen we je in te "
    "stemmen met de toezegging van de kring. Die luidt:"
)


@pytest.mark.parametrize(
    ("language", "how_often", "agree", "commitment"),
    [
        (
            "en",
            "active residents meet for dinner five times a year and agree on actions",
            AGREE_EN,
            "As an ally I take part in the circle's dinners, five times a year.",
        ),
        (
            "nl",
            "Daarin eten politie, gemeente en actieve bewoners vijf keer per jaar samen",
            AGREE_NL,
            "Als bondgenoot doe ik mee aan de diners van de kring, vijf keer per jaar.",
        ),
    ],
)
def test_the_new_persons_email_says_how_often_the_circle_dines_and_what_it_commits_to(
    client, coordinator, django_capture_on_commit_callbacks, language, how_often, agree, commitment
):
    """The approach's dinners are five a year, and being an ally is a commitment: "a few times
    a year", and no word of the commitment, undersold what joining asks."""
    message = invite_new(
        client, coordinator, django_capture_on_commit_callbacks, preferred_language=language
    )
    html = message.alternatives[0][0]
    # The standard commitment in the new person's language, as the circle page shows it.
    for text, shown in ((message.body, commitment), (html, escape(commitment))):
        assert how_often in text
        assert "a few times" not in text and "een paar keer" not in text
        assert text.index(agree) < text.index(shown) < text.index("/accounts/reset/")
    assert f"<p>{agree}</p>\n<blockquote><p>{escape(commitment)}" in html


@pytest.mark.parametrize(
    ("dinners", "english", "dutch"),
    [
        (1, "meet for dinner once a year", "één keer per jaar samen"),
        (4, "meet for dinner four times a year", "vier keer per jaar samen"),
        (12, "meet for dinner 12 times a year", "12 keer per jaar samen"),
    ],
)
def test_the_email_says_the_circles_own_number_of_dinners_and_commitment(
    circle, coordinator, mailoutbox, dinners, english, dutch
):
    circle.dinners_per_year = dinners
    circle.commitment_text = "We eat together.\nWe keep in touch."
    circle.save()
    newcomer = make_person("noor", name="Noor Bakker")
    for language in ("en", "nl"):
        services.send_invitation(person=newcomer, circle=circle, language=language, by=coordinator)
    english_message, dutch_message = mailoutbox
    assert english in english_message.body and dutch in dutch_message.body
    for message in mailoutbox:
        assert "We eat together.\nWe keep in touch." in message.body
        assert "<p>We eat together.<br>We keep in touch.</p>" in message.alternatives[0][0]


def invite_existing(client, circle, coordinator, capture, **changes):
    client.force_login(coordinator)
    values = data(name="Someone Else", email="OUTSIDER@example.org", phone="", sector="police")
    with capture(execute=True):
        return client.post(url(circle), values | changes, follow=True)


def test_an_existing_person_is_asked_to_join_not_added(
    client, circle, coordinator, outsider, django_capture_on_commit_callbacks
):
    response = invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    # The same words as for a new person: whether the address has an account is not told.
    assert "An invitation is on its way to OUTSIDER@example.org." in response.content.decode()
    assert "Outsider" not in response.content.decode()
    assert User.objects.filter(email__iexact="outsider@example.org").count() == 1
    assert not outsider.memberships.filter(circle=circle).exists()
    invitation = Invitation.objects.get()
    assert (invitation.person, invitation.circle, invitation.sector) == (outsider, circle, "police")
    assert invitation.invited_by == coordinator and invitation.answered_at is None
    outsider.refresh_from_db()
    assert outsider.name == "Outsider"  # their own details are theirs to change
    (message,) = mail.outbox  # asked, not sent a password link
    assert message.to == ["outsider@example.org"]
    assert message.subject == "Coordinator invites you to Overvecht Allies"
    from_coordinator = "Coordinator, coordinator of Overvecht Allies (Utrecht),"
    assert f"{from_coordinator} invites you to join the circle." in message.body
    assert f"/circles/invitations/{invitation.pk}/" in message.body
    assert "/accounts/reset/" not in message.body


def test_the_question_says_why_it_came_and_that_joining_is_a_choice(
    client, circle, coordinator, outsider, django_capture_on_commit_callbacks
):
    invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    footer = (
        "You receive this email because a coordinator of Overvecht Allies invited you. "
        "You only become a member if you choose to join."
    )
    privacy = "How Allies handles your personal data, who sees it and how long it stays:"
    link = "http://127.0.0.1:8000/privacy/"
    assert (
        f'<hr>\n<p><small>{footer}<br>\n{privacy} <a href="{link}">{link}</a></small></p>'
    ) in message.alternatives[0][0]
    assert f"\n-- \n{footer}\n{privacy}\n{link}\n" in message.body


def test_the_question_to_join_says_how_often_the_circle_dines(
    client, circle, coordinator, outsider, django_capture_on_commit_callbacks
):
    circle.dinners_per_year = 6
    circle.save()
    invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert "active residents meet for dinner six times a year" in message.body


def test_inviting_again_renews_the_open_invitation(
    client, circle, coordinator, outsider, django_capture_on_commit_callbacks
):
    invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    invite_existing(
        client, circle, coordinator, django_capture_on_commit_callbacks, sector="community"
    )
    assert Invitation.objects.get().sector == "community"
    assert len(mail.outbox) == 2


def test_inviting_again_names_the_latest_coordinator(
    client, circle, coordinator, officer, outsider, django_capture_on_commit_callbacks
):
    invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    officer.memberships.update(is_coordinator=True)
    invite_existing(client, circle, officer, django_capture_on_commit_callbacks)
    assert Invitation.objects.get().invited_by == officer
    first, second = mail.outbox
    assert first.subject == "Coordinator invites you to Overvecht Allies"
    assert second.subject == "Officer invites you to Overvecht Allies"
    assert "Officer, coordinator of Overvecht Allies (Utrecht), invites you" in second.body
    assert "Coordinator" not in second.body


def test_no_thanks_is_respected_for_ninety_days(
    client, circle, coordinator, outsider, django_capture_on_commit_callbacks
):
    declined = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    Invitation.objects.create(
        circle=circle, person=outsider, sector="police", answered_at=declined, accepted=False
    )
    with time_machine.travel(declined + datetime.timedelta(days=89), tick=False):
        response = invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    html = response.content.decode()
    expected = "OUTSIDER@example.org said no thanks to this circle on 2 March 2026. You can ask"
    assert expected in html and "again from 31 May 2026." in html
    assert 'value="Someone Else"' in html  # what was typed stays
    assert Invitation.objects.count() == 1 and mail.outbox == []
    with time_machine.travel(declined + datetime.timedelta(days=90, seconds=1), tick=False):
        response = invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    assert "An invitation is on its way to OUTSIDER@example.org." in response.content.decode()
    assert Invitation.objects.filter(answered_at=None).count() == 1 and len(mail.outbox) == 1


def test_a_no_thanks_to_another_circle_does_not_count(
    client, circle, coordinator, outsider, django_capture_on_commit_callbacks
):
    other = Circle.objects.create(name="Tilburg-Noord Allies", municipality="Tilburg")
    Invitation.objects.create(
        circle=other, person=outsider, sector="police", answered_at=timezone.now()
    )
    invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    assert Invitation.objects.filter(circle=circle, answered_at=None).count() == 1


def test_the_coordinator_sees_who_has_not_answered(
    client, circle, coordinator, outsider, django_capture_on_commit_callbacks
):
    invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    outsider.email = "private@example.org"  # changed since: that is theirs
    outsider.save()
    html = client.get(url(circle)).content.decode()
    assert "Invited, no answer yet" in html and "OUTSIDER@example.org" in html
    assert "private@example.org" not in html and "Outsider" not in html


@pytest.mark.parametrize("shares", [True, False])
def test_the_question_is_in_their_language_and_says_who_would_see_their_phone(
    client, circle, coordinator, outsider, shares, django_capture_on_commit_callbacks
):
    outsider.preferred_language = "nl"
    outsider.phone_shared_at = timezone.now() if shares else None
    outsider.save()
    invite_existing(client, circle, coordinator, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == "Coordinator nodigt je uit voor Overvecht Allies"
    assert message.extra_headers["Content-Language"] == "nl"
    for text in (message.body, message.alternatives[0][0]):
        assert f"{FROM_COORDINATOR_NL} nodigt je uit om mee te doen met de kring." in text
        assert ("zien de leden van deze kring het ook" in text) is shares


def test_someone_who_left_can_be_invited_back(client, circle, coordinator, citizen):
    citizen.memberships.get().end()
    client.force_login(coordinator)
    client.post(url(circle), data(email="citizen@example.org"))
    client.force_login(citizen)
    client.post(f"/circles/invitations/{Invitation.objects.get().pk}/", {"answer": "join"})
    assert citizen.memberships.active().count() == 1
    assert citizen.memberships.count() == 2


def test_an_active_member_gives_a_form_error(client, circle, coordinator, citizen):
    client.force_login(coordinator)
    response = client.post(url(circle), data(email="Citizen@Example.org", name="Typed Name"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Citizen@Example.org is already a member of this circle." in html
    assert 'value="Typed Name"' in html
    assert citizen.memberships.count() == 1
    assert Membership.objects.filter(circle=circle).count() == 2


@pytest.mark.parametrize(
    "changes,error",
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"phone": "12"}, "Enter a valid phone number"),
        ({"name": ""}, "This field is required."),
        ({"sector": "army"}, "Select a valid choice."),
        ({"language": "de"}, "Select a valid choice."),
        ({"phone": "+31 6 1234"}, "Enter a valid phone number"),
        ({"phone": "0611112222333"}, "Enter a valid phone number"),
        ({"phone": "+999 1234567"}, "Enter a valid phone number"),
        ({"phone": "06 11112222\x00"}, "Null characters are not allowed."),
        ({"email": "n" * 243 + "@example.org"}, "Ensure this value has at most 254 characters"),
        ({"name": "x" * 151}, "Ensure this value has at most 150 characters"),
        ({"name": "Noor\nBakker"}, "invisible control characters"),
        ({"name": "Noor\x1b[2JBakker"}, "invisible control characters"),
    ],
)
def test_it_keeps_input_on_error(client, circle, coordinator, changes, error):
    client.force_login(coordinator)
    response = client.post(url(circle), data(**changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'value="Noor Bakker"' in html or "name" in changes
    assert not User.objects.filter(username="noor@example.org").exists()
    assert not User.objects.filter(name__startswith="Noor").exists()
    assert mail.outbox == []


def test_a_taken_username_gets_a_suffix(client, circle, coordinator):
    make_person("noor@example.org", email="other@example.org")
    client.force_login(coordinator)
    client.post(url(circle), data())
    assert User.objects.get(email="Noor@Example.org").username == "noor@example.org-2"


def test_a_failing_mail_server_does_not_undo_the_invitation(
    client, circle, coordinator, django_capture_on_commit_callbacks, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.meetings.test_notify.RefusesWithTheAddress"
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(circle), data())
    assert response.status_code == 302
    assert User.objects.get(email="Noor@Example.org").memberships.get().circle == circle
    # Which email failed, not to whom, nor the server's refusal that names the address.
    assert (
        "Could not send the email 'Coordinator invites you to Overvecht Allies' "
        "(SMTPRecipientsRefused)" in caplog.text
    )
    assert "noor@example.org" not in caplog.text.lower()


def test_an_address_invited_elsewhere_at_the_same_moment_asks_to_try_again(
    client, circle, coordinator, monkeypatch
):
    free_username = services._free_username

    def raced(email):  # another coordinator's request makes the account first
        make_person("elsewhere", email="noor@example.org")
        return free_username(email)

    monkeypatch.setattr(services, "_free_username", raced)
    client.force_login(coordinator)
    response = client.post(url(circle), data())
    assert response.status_code == 200
    assert "at the same moment. Please try again." in response.content.decode()
    assert not Membership.objects.filter(circle=circle, person__username="elsewhere").exists()

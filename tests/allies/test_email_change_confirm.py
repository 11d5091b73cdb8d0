"""/accounts/profile/email/<token>/: the link sent to a new email address. Opening it changes
nothing; its button does, once, while the link is fresh, the address it was made for is still
the person's, its new address is still the one they wait for, and that one is still free. It
needs no sign-in."""

import datetime

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from allies.services import EMAIL_CHANGE_DAYS, email_change_token
from tests.conftest import email_change_link_token, make_person

NEW = "fatima@example.org"
REFUSED = "This link cannot be used"


def link(person, new_email=NEW) -> str:
    """The link sent for `new_email`, the latest one the person asked for."""
    return reverse("email_change_confirm", args=[email_change_link_token(person, new_email)])


def email_of(person) -> str:
    person.refresh_from_db()
    return person.email


def confirm(client, url, capture):
    with capture(execute=True):
        return client.post(url, follow=True)


def test_opening_the_link_asks_to_confirm_and_changes_nothing(client, citizen):
    response = client.get(link(citizen))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Confirm your new email address" in html
    assert f"<strong>{NEW}</strong>" in html
    assert '<form method="post">' in html and "Confirm my new email address</button>" in html
    assert email_of(citizen) == "citizen@example.org"
    assert mail.outbox == []
    assert "no-store" in response["Cache-Control"]  # it shows the new address to anyone


def test_the_button_changes_the_address_without_signing_in(
    client, citizen, django_capture_on_commit_callbacks
):
    response = confirm(client, link(citizen), django_capture_on_commit_callbacks)
    assert email_of(citizen) == NEW
    # Not signed in by the link: it proves the mailbox, not who holds the account.
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert f"Your email address is now {NEW}." in response.content.decode()


def test_signed_in_the_button_leads_back_to_my_profile(
    client, citizen, django_capture_on_commit_callbacks
):
    client.force_login(citizen)
    response = confirm(client, link(citizen), django_capture_on_commit_callbacks)
    assert response.redirect_chain[-1][0] == reverse("profile")
    html = response.content.decode()
    assert f"Your email address is now {NEW}." in html and f'value="{NEW}"' in html


@pytest.mark.parametrize(
    ("language", "subject", "change", "advice"),
    [
        (
            "nl",
            "Je e-mailadres voor Bondgenoten is gewijzigd",
            f"gewijzigd van citizen@example.org in {NEW}",
            "Was jij dit niet, dan kent iemand anders je wachtwoord.",
        ),
        (
            "en",
            "Your email address for Allies was changed",
            f"was changed from citizen@example.org to {NEW}",
            "If this was not you, someone else knows your password.",
        ),
    ],
)
def test_the_old_address_is_told_in_my_language(
    client, citizen, django_capture_on_commit_callbacks, language, subject, change, advice
):
    citizen.preferred_language = language
    citizen.save()
    confirm(client, link(citizen), django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == ["citizen@example.org"]
    assert message.subject == subject
    assert change in message.body and advice in message.body
    assert "/accounts/profile/" in message.body
    assert change in message.alternatives[0][0]


def test_the_old_address_gets_an_email_without_an_empty_footer(
    client, citizen, django_capture_on_commit_callbacks
):
    confirm(client, link(citizen), django_capture_on_commit_callbacks)
    [message] = mail.outbox
    html = message.alternatives[0][0]
    assert "<small></small>" not in html and "<hr>" not in html


# The refusals after which "Your email address has not changed." would be untrue: it has.
ADDRESS_CHANGED = {"used", "outdated"}


def assert_refused(client, url: str, reason: str, text: str) -> None:
    """Opening the link and pressing its button both get a page that refuses it, saying why
    (not a 404 that explains nothing), and whether the address stayed as it was."""
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 200
        assert response.context["reason"] == reason
        html = response.content.decode()
        assert REFUSED in html and text in html
        unchanged = "Your email address has not changed." in html
        assert unchanged is (reason not in ADDRESS_CHANGED)


def test_a_used_link_says_so(client, citizen, django_capture_on_commit_callbacks):
    url = link(citizen)
    confirm(client, url, django_capture_on_commit_callbacks)
    assert_refused(client, url, "used", f"This link was already used: {NEW} is your email address.")


def test_a_link_for_an_address_taken_meanwhile_is_refused(client, citizen):
    url = link(citizen)
    make_person("other", email="FATIMA@example.org")
    assert_refused(
        client,
        url,
        "taken",
        f"Someone else now uses {NEW}, so it cannot become your email address.",
    )
    assert email_of(citizen) == "citizen@example.org"


def test_a_link_made_before_the_address_changed_is_refused(client, citizen):
    url = link(citizen)
    citizen.email = "elsewhere@example.org"  # by another link, or by an admin
    citizen.save()
    assert_refused(
        client, url, "outdated", "Your email address was changed after this link was sent"
    )
    assert email_of(citizen) == "elsewhere@example.org"


def test_of_two_links_only_the_latest_works(client, citizen, django_capture_on_commit_callbacks):
    first, second = link(citizen), link(citizen, "other.address@example.org")
    assert_refused(
        client,
        first,
        "replaced",
        "You asked for another new email address after this link was sent, and only the link "
        "in the latest email works.",
    )
    # Whoever opens the older link reads another mailbox: it does not learn the newer address.
    assert "other.address" not in client.get(first).content.decode()
    assert email_of(citizen) == "citizen@example.org"
    confirm(client, second, django_capture_on_commit_callbacks)
    assert email_of(citizen) == "other.address@example.org"


def test_a_link_confirmed_leaves_no_change_waiting(
    client, citizen, django_capture_on_commit_callbacks
):
    confirm(client, link(citizen), django_capture_on_commit_callbacks)
    citizen.refresh_from_db()
    assert (citizen.email, citizen.pending_email) == (NEW, "")


def test_a_cancelled_change_kills_its_link(client, citizen):
    url = link(citizen)
    client.force_login(citizen)
    client.post(reverse("email_change_cancel"))
    client.logout()
    assert_refused(
        client,
        url,
        "cancelled",
        "This change was cancelled on your profile page, so this link no longer works.",
    )
    assert email_of(citizen) == "citizen@example.org"


def test_the_latest_address_asked_for_again_in_another_case_is_still_the_one(client, citizen):
    url = link(citizen, "Fatima@Example.org")
    link(citizen, NEW)
    client.post(url)
    assert email_of(citizen) == "Fatima@Example.org"


def test_another_case_of_the_same_address_does_not_end_the_link(client, citizen):
    url = link(citizen)
    citizen.email = "Citizen@Example.org"
    citizen.save()
    client.post(url)
    assert email_of(citizen) == NEW


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature
        lambda token: token[:5] + ("A" if token[5] != "A" else "B") + token[6:],  # the data
        lambda token: token[: len(token) // 2],
    ],
    ids=["signature", "data", "cut short"],
)
def test_a_tampered_link_is_refused(client, citizen, tamper):
    url = reverse("email_change_confirm", args=[tamper(email_change_token(citizen, NEW))])
    assert_refused(client, url, "invalid", "This link is not complete.")
    assert email_of(citizen) == "citizen@example.org"


def test_a_link_with_another_address_put_in_is_refused(client, citizen, officer):
    # The address is readable in the link; changing it breaks the signature.
    token = email_change_token(citizen, NEW)
    payload, rest = token.split(":", 1)
    data = signing.b64_decode(payload.encode())
    assert b"fatima" in data
    forged = signing.b64_encode(data.replace(b"fatima", b"mallory")).decode()
    url = reverse("email_change_confirm", args=[f"{forged}:{rest}"])
    assert_refused(client, url, "invalid", "This link is not complete.")
    assert email_of(citizen) == "citizen@example.org"


def test_a_link_signed_for_something_else_is_refused(client, citizen):
    token = signing.dumps([citizen.pk, NEW, "x"], salt="another purpose")
    url = reverse("email_change_confirm", args=[token])
    assert_refused(client, url, "invalid", "This link is not complete.")
    assert email_of(citizen) == "citizen@example.org"


def test_an_expired_link_is_refused(client, citizen):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        url = link(citizen)
        traveller.shift(datetime.timedelta(days=EMAIL_CHANGE_DAYS, minutes=-1))
        assert client.get(url).context["change"].new_email == NEW
        traveller.shift(datetime.timedelta(minutes=2))
        expired = f"This link has expired: it works for {EMAIL_CHANGE_DAYS} days."
        assert_refused(client, url, "expired", expired)
    assert email_of(citizen) == "citizen@example.org"


def test_a_link_of_a_closed_account_is_refused(client, citizen):
    url = link(citizen)
    citizen.is_active = False
    citizen.save()
    assert_refused(client, url, "invalid", "This link is not valid any more.")
    assert email_of(citizen) == "citizen@example.org"


def test_the_link_does_not_show_the_current_address(citizen):
    token = email_change_token(citizen, NEW)
    payload = signing.b64_decode(token.split(":")[0].encode())
    assert NEW.encode() in payload and b"citizen" not in payload


def test_the_refusal_page_is_translated(client, citizen, settings):
    settings.LANGUAGE_CODE = "nl"
    response = client.get(
        reverse("email_change_confirm", args=["nonsense"]), HTTP_ACCEPT_LANGUAGE="nl"
    )
    html = response.content.decode()
    assert '<html lang="nl">' in html and "Deze link werkt niet" in html


@pytest.fixture
def dutch(citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    return citizen


def test_the_page_speaks_the_persons_language_not_the_browsers(
    client, dutch, django_capture_on_commit_callbacks
):
    """As the email did: a phone that is not signed in may speak English to a Dutch member."""
    url = link(dutch)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert '<html lang="nl">' in html and "Bevestig je nieuwe e-mailadres" in html
    assert response["Content-Language"] == "nl"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    # The sign-in page that follows too, with its message.
    html = response.content.decode()
    assert '<html lang="nl">' in html and f"Je e-mailadres is nu {NEW}." in html


def test_a_language_the_visitor_picked_is_kept(client, dutch, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(link(dutch), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="en">' in html and "Confirm your new email address" in html


def test_signed_in_the_page_speaks_my_language(client, dutch, officer):
    """Whoever is signed in reads their own language (PreferredLanguageMiddleware)."""
    client.force_login(officer)
    html = client.get(link(dutch)).content.decode()
    assert '<html lang="en">' in html


def test_opening_the_link_takes_a_fixed_few_queries(client, citizen, django_assert_max_num_queries):
    url = link(citizen)
    with django_assert_max_num_queries(4):
        assert client.get(url).status_code == 200

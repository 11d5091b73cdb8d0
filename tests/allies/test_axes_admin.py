"""django-axes's admin pages (sign-in attempts, failures and sign-ins) read in Dutch for a Dutch
admin. Axes has no Dutch of its own: the project's catalogue gives it (allies/django_texts.py),
so a text that axes rewords shows in English here, and these tests fail on it."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.allies.test_dutch_pages import visible_text
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"

# What axes's pages said in English to an admin reading Dutch (case-sensitive).
ENGLISH = [
    "Axes",
    "Access attempt",
    "access attempt",
    "Access failure",
    "access failure",
    "Access log",
    "access log",
    "User Agent",
    "IP Address",
    "Username",
    "HTTP Accept",
    "Path",
    "Attempt Time",
    "Logout Time",
    "Access lock out",
    "GET Data",
    "POST Data",
    "Failed Logins",
    "Form Data",
    "Meta Data",
    "Locked Out",
    "Attempt Remaining",
    "Clean up",
    "Sign-in throttling",
]

ON = "\N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK}"  # between admin's breadcrumbs
LEFT = settings.AXES_FAILURE_LIMIT - 1
LISTS = {
    AccessAttempt: [
        f"Inlogbeveiliging {ON} Inlogpogingen",
        "Tijdstip IP-adres Browser Gebruikersnaam URL-pad Mislukte pogingen Status",
        f"citizen /admin/login/ 1 {LEFT} nog toegestaan",
        "Op Tijdstip",
        "Op URL-pad",
        "Op Gepauzeerd Alle Ja Nee",
        "Verlopen inlogpogingen opruimen",
    ],
    AccessFailureLog: [
        f"Inlogbeveiliging {ON} Mislukte inloggingen",
        "Tijdstip IP-adres Gebruikersnaam Browser URL-pad Gepauzeerd",
        "Op Gepauzeerd Alle Ja Nee",
    ],
    AccessLog: [
        f"Inlogbeveiliging {ON} Inloggingen",
        "Tijdstip Tijdstip van uitloggen IP-adres Gebruikersnaam Browser URL-pad",
        "Op Tijdstip van uitloggen",
    ],
}
CHANGE_PAGES = {
    AccessAttempt: [
        "inlogpoging wijzigen",
        "Gebruikersnaam: citizen URL-pad: /admin/login/ Mislukte pogingen: 1",
        "Vervaldatum van inlogpoging: -",
        "Formuliergegevens GET-gegevens: - POST-gegevens:",
        f"Metagegevens Browser: Firefox IP-adres: {ADDRESS} HTTP-Accept: text/html",
    ],
    AccessFailureLog: [
        "mislukte inlogging wijzigen",
        "Gebruikersnaam: citizen URL-pad: /admin/login/",
        f"Metagegevens Browser: Firefox IP-adres: {ADDRESS} HTTP-Accept: text/html",
    ],
    AccessLog: [
        "inlogging wijzigen",
        "Gebruikersnaam: admin URL-pad: /admin/login/",
        f"Metagegevens Browser: Firefox IP-adres: {ADDRESS} HTTP-Accept: text/html",
    ],
}


def sign_in_to_admin(client, username, password):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ADDRESS,
        HTTP_USER_AGENT="Firefox",
        HTTP_ACCEPT="text/html",
    )


@pytest.fixture
def dutch_admin(client, admin_user, citizen):
    """A superuser reading Dutch, signed in through admin's form, after someone else's failed
    sign-in there: axes has an attempt and a sign-in to show. It keeps no log of failures on
    this site (AXES_ENABLE_ACCESS_FAILURE_LOG is off), so that list gets a row of its own."""
    admin_user.preferred_language = "nl"
    admin_user.save()
    sign_in_to_admin(client, "citizen", "wrong password")
    assert sign_in_to_admin(client, "admin", PASSWORD).status_code == 302
    AccessFailureLog.objects.create(
        username="citizen",
        ip_address=ADDRESS,
        user_agent="Firefox",
        http_accept="text/html",
        path_info="/admin/login/",
        locked_out=True,
    )
    return client


def read(client, url) -> str:
    return text_of(client.get(url))


def text_of(response) -> str:
    """The page's visible text, white space made single spaces, without the names of axes's
    rows: axes makes them of English words in code ("Attempted Access: <time>"), which no
    catalogue translates."""
    text = " ".join(visible_text(response.content.decode()).split())
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        for row in model.objects.all():
            text = text.replace(str(row), "")
    return text


def english_in(text: str) -> list[str]:
    return [words for words in ENGLISH if words in text]


def test_the_admin_index_names_axes_and_its_lists_in_dutch(dutch_admin):
    text = read(dutch_admin, reverse("admin:index"))
    assert (
        "Inlogbeveiliging Modelnaam Link om toe te voegen Link om te wijzigen of de lijst te "
        "bekijken"
    ) in text
    assert "Model name" not in text
    assert "Inloggingen Wijzigen Inlogpogingen Wijzigen Mislukte inloggingen Wijzigen" in text
    assert english_in(text) == []


@pytest.mark.parametrize("model", LISTS, ids=lambda m: m._meta.model_name)
def test_the_lists_read_in_dutch(dutch_admin, model):
    text = read(dutch_admin, reverse(f"admin:axes_{model._meta.model_name}_changelist"))
    assert [words for words in LISTS[model] if words not in text] == []
    assert english_in(text) == []


@pytest.mark.parametrize("model", CHANGE_PAGES, ids=lambda m: m._meta.model_name)
def test_the_change_pages_read_in_dutch(dutch_admin, model):
    row = model.objects.get()
    text = read(dutch_admin, reverse(f"admin:axes_{model._meta.model_name}_change", args=[row.pk]))
    assert [words for words in CHANGE_PAGES[model] if words not in text] == []
    assert english_in(text) == []


def test_cleaning_up_says_in_dutch_how_many_it_removed(dutch_admin):
    attempt = AccessAttempt.objects.get()
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        response = dutch_admin.post(
            reverse("admin:axes_accessattempt_changelist"),
            {"action": "cleanup_expired_attempts", "_selected_action": [attempt.pk]},
            follow=True,
        )
    assert "1 verlopen inlogpoging verwijderd." in text_of(response)
    assert not AccessAttempt.objects.exists()


def test_in_english_the_app_says_what_it_does(admin_client):
    text = " ".join(visible_text(admin_client.get(reverse("admin:index")).content.decode()).split())
    assert "Sign-in throttling" in text
    assert "Axes" not in text

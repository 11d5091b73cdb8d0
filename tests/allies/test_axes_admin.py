"""django-axes's admin pages (sign-in attempts and sign-ins) read in Dutch for a Dutch admin, and
show its records without offering to change them. Axes has no Dutch of its own: the project's
catalogue gives it (allies/django_texts.py), so a text that axes rewords shows in English here,
and these tests fail on it."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from tests.allies.test_dutch_pages import visible_text
from tests.conftest import PASSWORD, make_person

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
    # axes's names of its rows ("Attempted Access: 2026-11-30 12:47:44.348302+00:00")
    "Attempted Access",
    "Access Log for",
    "+00:00",
    # Django 5.2's admin texts that its Dutch catalogue lacks
    "Model name",
    "Add link",
    "Change or view list link",
    "Search",
    "Django",
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
        "Alle verlopen inlogpogingen verwijderen (ongeacht de selectie)",
    ],
    AccessLog: [
        f"Inlogbeveiliging {ON} Inloggingen",
        "Tijdstip Tijdstip van uitloggen IP-adres Gebruikersnaam Browser URL-pad",
        "Op Tijdstip van uitloggen",
    ],
}
CHANGE_PAGES = {
    AccessAttempt: [
        "inlogpoging weergeven",
        "Gebruikersnaam: citizen URL-pad: /admin/login/ Mislukte pogingen: 1",
        "Vervaldatum van inlogpoging: -",
        "Formuliergegevens GET-gegevens: - POST-gegevens:",
        f"Metagegevens Browser: Firefox IP-adres: {ADDRESS} HTTP-Accept: text/html",
    ],
    AccessLog: [
        "inlogging weergeven",
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
    sign-in there: axes has an attempt and a sign-in to show."""
    admin_user.preferred_language = "nl"
    admin_user.save()
    sign_in_to_admin(client, "citizen", "wrong password")
    assert sign_in_to_admin(client, "admin", PASSWORD).status_code == 302
    return client


@pytest.fixture
def viewer(client, citizen):
    """A staff member who may view (not change or delete) the sign-in records, signed in after
    citizen's failed sign-in."""
    sign_in_to_admin(client, "citizen", "wrong password")
    person = make_person("viewer", is_staff=True, preferred_language="nl")
    person.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="axes", codename__in=["view_accessattempt", "view_accesslog"]
        )
    )
    client.force_login(person)
    return client


def read(client, url) -> str:
    return text_of(client.get(url))


def text_of(response) -> str:
    """The page's visible text (labels read out included), white space made single spaces."""
    return " ".join(visible_text(response.content.decode()).split())


def english_in(text: str) -> list[str]:
    return [words for words in ENGLISH if words in text]


def test_the_admin_index_names_axes_and_its_lists_in_dutch(dutch_admin):
    text = read(dutch_admin, reverse("admin:index"))
    headings = "Modelnaam Link om toe te voegen Link naar de lijst om te wijzigen of te bekijken"
    assert f"Inlogbeveiliging {headings} Inloggingen Weergeven Inlogpogingen Weergeven" in text
    assert english_in(text) == []


def test_the_admin_is_headed_with_the_sites_name(dutch_admin):
    response = dutch_admin.get(reverse("admin:index"))
    text = text_of(response)
    assert text.startswith("Beheer | Beheer van Bondgenoten ")  # the <title>
    assert "Naar de hoofdinhoud Beheer van Bondgenoten Welkom, admin ." in text
    assert "<h1>Beheer</h1>" in response.content.decode()
    assert english_in(text) == []


def test_the_failure_log_is_not_in_admin(dutch_admin):
    """This site keeps no log of failed sign-ins (AXES_ENABLE_ACCESS_FAILURE_LOG is off; the
    attempts hold them), so its list would always be empty."""
    assert not settings.AXES_ENABLE_ACCESS_FAILURE_LOG
    assert not admin.site.is_registered(AccessFailureLog)
    with pytest.raises(NoReverseMatch):
        reverse("admin:axes_accessfailurelog_changelist")
    assert "Mislukte inloggingen" not in read(dutch_admin, reverse("admin:index"))


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


# A moment in winter (UTC+1 in the Netherlands), to the microsecond as axes stores it.
MOMENT = datetime.datetime(2026, 11, 30, 12, 47, 44, 348302, tzinfo=datetime.UTC)
NAMES = {
    AccessAttempt: "Inlogpoging van citizen op 30 november 2026, 13:47",
    AccessLog: "Inlogging van admin op 30 november 2026, 13:47",
}


@pytest.mark.parametrize("model", NAMES, ids=lambda m: m._meta.model_name)
def test_a_record_is_named_in_dutch_and_local_time_wherever_admin_names_it(dutch_admin, model):
    model.objects.update(attempt_time=MOMENT)
    row, name = model.objects.get(), NAMES[model]
    info = f"admin:axes_{model._meta.model_name}"
    page = dutch_admin.get(reverse(f"{info}_change", args=[row.pk])).content.decode()
    assert f"<title>{name} | " in page
    assert f"<h2>{name}</h2>" in page
    assert f"{model._meta.verbose_name_plural.title()}</a>" in page  # the breadcrumbs
    assert f"{ON} {name}" in text_of(dutch_admin.get(reverse(f"{info}_change", args=[row.pk])))
    listed = read(dutch_admin, reverse(f"{info}_changelist"))
    assert f"Selecteer dit object voor een actie - {name}" in listed  # the checkbox's label
    deleting = read(dutch_admin, reverse(f"{info}_delete", args=[row.pk]))
    assert f"{name}" in deleting
    assert english_in(page + listed + deleting) == []


def test_a_record_without_a_username_is_named_by_its_time(dutch_admin):
    AccessAttempt.objects.update(username=None, attempt_time=MOMENT)
    page = read(dutch_admin, reverse("admin:axes_accessattempt_changelist"))
    assert "Inlogpoging op 30 november 2026, 13:47" in page


@pytest.mark.parametrize("model", NAMES, ids=lambda m: m._meta.model_name)
def test_a_record_is_shown_not_offered_for_changing(dutch_admin, model):
    row = model.objects.get()
    url = reverse(f"admin:axes_{model._meta.model_name}_change", args=[row.pk])
    page = dutch_admin.get(url).content.decode()
    assert 'name="_save"' not in page
    assert 'name="_continue"' not in page
    assert reverse(f"admin:axes_{model._meta.model_name}_delete", args=[row.pk]) in page
    assert dutch_admin.post(url, {"username": "someone"}).status_code == 403
    assert model.objects.get().username == row.username


@pytest.mark.parametrize("model", NAMES, ids=lambda m: m._meta.model_name)
def test_staff_who_may_view_reach_a_record_from_the_list(viewer, model):
    row = model.objects.get()
    info = f"admin:axes_{model._meta.model_name}"
    assert (
        reverse(f"{info}_change", args=[row.pk])
        in viewer.get(reverse(f"{info}_changelist")).content.decode()
    )
    page = viewer.get(reverse(f"{info}_change", args=[row.pk])).content.decode()
    with translation.override("nl"):
        assert f"<h2>{row}</h2>" in page
    assert 'name="_save"' not in page


def test_staff_who_may_only_view_are_not_offered_the_clean_up(viewer):
    page = viewer.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "cleanup_expired_attempts" not in page


def test_empty_form_data_shows_a_dash_not_axes_separators(dutch_admin):
    """Axes adds each failure's data after a line of dashes; a sign-in sends no GET data, so
    after three failures that field held two lines of dashes and nothing else."""
    sign_in_to_admin(dutch_admin, "citizen", "wrong again")
    sign_in_to_admin(dutch_admin, "citizen", "and again")
    attempt = AccessAttempt.objects.get()
    assert attempt.failures_since_start == 3
    assert attempt.get_data.count("---------") == 2
    text = read(dutch_admin, reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert "GET-gegevens: - POST-gegevens: username=" in text
    # The POST data of each failure stays apart.
    assert text.count("next=/admin/ --------- username=") == 2


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


def test_cleaning_up_removes_every_expired_attempt_as_its_name_says(dutch_admin):
    """Axes's handler removes every expired attempt, whatever is selected: the action's name
    ("(ongeacht de selectie)") says so."""
    sign_in_to_admin(dutch_admin, "someone", "wrong password")
    assert AccessAttempt.objects.count() == 2
    selected = AccessAttempt.objects.get(username="citizen")
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1)
    with time_machine.travel(later):
        response = dutch_admin.post(
            reverse("admin:axes_accessattempt_changelist"),
            {"action": "cleanup_expired_attempts", "_selected_action": [selected.pk]},
            follow=True,
        )
    assert "2 verlopen inlogpogingen verwijderd." in text_of(response)
    assert not AccessAttempt.objects.exists()


def test_a_long_value_is_styled_to_wrap(dutch_admin):
    """tests/e2e/test_admin_width.py checks that it does in a browser."""
    attempt = AccessAttempt.objects.get()
    page = dutch_admin.get(reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert "css/admin.css" in page.content.decode()


def test_the_search_box_is_labelled_in_dutch(dutch_admin):
    page = dutch_admin.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert 'alt="Zoeken"' in page
    assert 'alt="Search"' not in page


def test_in_english_the_app_says_what_it_does(admin_client):
    text = " ".join(visible_text(admin_client.get(reverse("admin:index")).content.decode()).split())
    assert "Sign-in throttling" in text
    assert "Axes" not in text
    assert "Allies administration" in text
    assert "Django" not in text


def test_in_english_a_record_is_named_in_english_and_local_time(admin_client, citizen):
    sign_in_to_admin(admin_client, "citizen", "wrong password")
    AccessAttempt.objects.update(attempt_time=MOMENT)
    attempt = AccessAttempt.objects.get()
    page = admin_client.get(reverse("admin:axes_accessattempt_change", args=[attempt.pk]))
    assert "<h2>Sign-in attempt by citizen on 30 November 2026, 13:47</h2>" in page.content.decode()

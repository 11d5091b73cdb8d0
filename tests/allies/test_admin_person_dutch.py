"""Admin's pages to add and change a person read in Dutch: the first thing an admin does for a
new circle is make its coordinator. Django 5.2's own Dutch lacks a few of their texts; the
project's catalogues have them (allies/django_texts.py, locale/nl/LC_MESSAGES/djangojs.po)."""

import json

from django.urls import reverse

from tests.allies.test_dutch_pages import english_words, formal_words


def test_the_add_page_reads_in_dutch(dutch_admin):
    html = dutch_admin.get(reverse("admin:allies_user_add")).content.decode()
    assert "After you’ve created a user" not in html  # noqa: RUF001
    assert "Als je een gebruiker hebt aangemaakt, kun je meer gegevens bewerken." in html
    assert english_words(html) == []
    assert formal_words(html) == []


def test_an_inlines_add_link_has_the_name_first(dutch_admin):
    """Django's Dutch put the capitalised name mid-sentence: "Nog een Lidmaatschap toevoegen"
    on the page where an admin sets up a new circle with its first coordinator."""
    html = dutch_admin.get(reverse("admin:circles_circle_add")).content.decode()
    assert "Lidmaatschap toevoegen" in html
    assert "Nog een Lidmaatschap" not in html


def test_the_picker_of_groups_and_permissions_speaks_dutch(dutch_admin):
    """Its script's texts come from admin's catalogue view; Django has no Dutch for these."""
    catalogue = dutch_admin.get(reverse("admin:jsi18n")).content.decode()
    for dutch in (
        'Kies %s door ze te selecteren en dan op de pijl "Kiezen" te klikken.',
        'Haal %s weg door ze te selecteren en dan op de pijl "Verwijderen" te klikken.',
        "Alle %s kiezen",
        "Geselecteerde %s kiezen",
        "Alle %s verwijderen",
        "Geselecteerde %s verwijderen",
        "(klik om te wissen)",
    ):
        assert json.dumps(dutch) in catalogue


def test_a_persons_page_speaks_of_them_not_as_them(dutch_admin, admin_user):
    """The profile asks "Stuur me herinneringen"; on someone else's record in admin that read
    as if the admin asked it."""
    html = dutch_admin.get(reverse("admin:allies_user_change", args=[admin_user.pk])).content
    assert "Herinneringen per e-mail" in html.decode()
    assert "tuur me herinneringen" not in html.decode()
    assert "<label>Wachtwoord krijgen:</label>" in (
        dutch_admin.get(reverse("admin:allies_user_add")).content.decode()
    )


def test_the_profile_still_asks_in_the_first_person(client, admin_user):
    admin_user.preferred_language = "nl"
    admin_user.save()
    client.force_login(admin_user)
    assert "Stuur me herinneringen" in client.get(reverse("profile")).content.decode()

"""Deleting in admin what kept rows refer to (a circle with a history, a topic on an agenda)
is refused with a message saying why, not Django's "Cannot delete" page; the rest is deleted
as before."""

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from actions.models import Action
from allies.models import User
from circles.models import Circle
from meetings.models import AgendaItem, Topic

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def empty_circle(db):
    """A circle made by mistake: nothing in it."""
    return Circle.objects.create(name="Typo Allies", municipality="Utrecht")


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_circle_with_a_history_is_kept_and_admin_says_why(
    admin_client, circle, citizen, meeting, method
):
    url = reverse("admin:circles_circle_delete", args=[circle.pk])
    response = getattr(admin_client, method)(url, {"post": "yes"} if method == "post" else {})
    assert response.status_code == 302
    assert response.url == reverse("admin:circles_circle_change", args=[circle.pk])
    assert _messages(response) == [
        "Not deleted, as records that are kept refer to it:"
        " “Overvecht Allies (Utrecht)” (meetings and memberships)."
    ]
    assert Circle.objects.filter(pk=circle.pk).exists()


def _delete_selected(client, circles, **confirm):
    return client.post(
        reverse("admin:circles_circle_changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [c.pk for c in circles], **confirm},
    )


def test_deleting_selected_circles_deletes_those_without_a_history(
    admin_client, circle, meeting, empty_circle
):
    confirmation = _delete_selected(admin_client, [circle, empty_circle])
    assert confirmation.status_code == 200
    assert list(confirmation.context["queryset"]) == [empty_circle]  # the one asked about
    assert (
        "“Overvecht Allies (Utrecht)” (meetings and memberships)" in confirmation.content.decode()
    )

    response = _delete_selected(admin_client, [empty_circle], post="yes")
    assert response.status_code == 302
    assert list(Circle.objects.all()) == [circle]


def test_when_every_selected_circle_has_a_history_none_is_deleted(
    admin_client, circle, meeting, other_circle, outsider
):
    response = _delete_selected(admin_client, [circle, other_circle])
    assert response.status_code == 302
    assert response.url == reverse("admin:circles_circle_changelist")
    assert _messages(response) == [
        "Not deleted, as records that are kept refer to them: “Tilburg Allies (Tilburg)”"
        " (memberships), “Overvecht Allies (Utrecht)” (meetings and memberships)."
    ]
    assert Circle.objects.count() == 2


def test_a_topic_on_an_agenda_is_kept_and_admin_says_what_to_do_instead(admin_client, meeting):
    used, unused = Topic.objects.create(name="Loitering"), Topic.objects.create(name="Fireworks")
    AgendaItem.objects.create(meeting=meeting, topic=used)

    response = admin_client.get(reverse("admin:meetings_topic_delete", args=[used.pk]))
    assert response.status_code == 302
    assert _messages(response) == [
        "Not deleted, as records that are kept refer to it: “Loitering” (agenda items)."
        " Untick “active” to stop offering a topic."
    ]
    response = admin_client.post(
        reverse("admin:meetings_topic_delete", args=[unused.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert set(Topic.objects.filter(pk__in=[used.pk, unused.pk])) == {used}


ERASE_NOT_DELETE = {
    "en": "People are erased (anonymised), not deleted: their answers, attendance and actions"
    " stay in the circles' history. To erase this person, select them in the list of people"
    " and choose “Erase the selected people (anonymise)”.",
    "nl": "Personen worden gewist (geanonimiseerd), niet verwijderd: hun antwoorden,"
    " aanwezigheid en actiepunten blijven in de geschiedenis van de kringen. Wil je deze"
    " persoon wissen? Selecteer de persoon in de lijst met personen en kies “Geselecteerde"
    " personen wissen (anonimiseren)”.",
}


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_typed_delete_address_of_a_person_goes_back_to_their_page_saying_how_to_erase(
    client, admin_user, citizen, method, language
):
    admin_user.preferred_language = language
    admin_user.save()
    client.force_login(admin_user)
    url = reverse("admin:allies_user_delete", args=[citizen.pk])
    response = getattr(client, method)(
        f"{url}?_popup=1", {"post": "yes"} if method == "post" else {}
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:allies_user_change", args=[citizen.pk]) + "?_popup=1"
    assert _messages(response) == [ERASE_NOT_DELETE[language]]
    assert User.objects.filter(pk=citizen.pk, username="citizen").exists()


KEPT_NOT_DELETED = {
    "meetings.meeting": (
        "Meetings are cancelled, not deleted: they stay in the circle's history. To cancel this"
        " one, set its status to “cancelled”.",
        "Bijeenkomsten worden geannuleerd, niet verwijderd: ze blijven in de geschiedenis van de"
        " kring. Wil je deze annuleren? Zet de status op “geannuleerd”.",
    ),
    "circles.membership": (
        "Memberships end, they are not deleted: they stay in the circle's history. To end this"
        " one, fill in “Left on”.",
        "Lidmaatschappen eindigen, ze worden niet verwijderd: ze blijven in de geschiedenis van"
        " de kring. Wil je dit lidmaatschap beëindigen? Vul “Gestopt op” in.",
    ),
    "actions.action": (
        "Actions are dropped, not deleted: they stay in the circle's history. To drop this one,"
        " set its status to “dropped”.",
        "Actiepunten vervallen, ze worden niet verwijderd: ze blijven in de geschiedenis van de"
        " kring. Wil je dit actiepunt laten vervallen? Zet de status op “vervallen”.",
    ),
}


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("model", KEPT_NOT_DELETED)
def test_a_typed_delete_address_of_a_kept_record_goes_back_saying_what_to_do_instead(
    client, admin_user, meeting, citizen, model, language
):
    Action.objects.create(circle=meeting.circle, title="Visit the school")
    admin_user.preferred_language = language
    admin_user.save()
    client.force_login(admin_user)
    app_label, model_name = model.split(".")
    kept = apps.get_model(app_label, model_name).objects.order_by("pk").first()
    url = reverse(f"admin:{app_label}_{model_name}_delete", args=[kept.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert response.url == reverse(f"admin:{app_label}_{model_name}_change", args=[kept.pk])
    english, dutch = KEPT_NOT_DELETED[model]
    assert _messages(response) == [english if language == "en" else dutch]
    assert type(kept).objects.filter(pk=kept.pk).exists()

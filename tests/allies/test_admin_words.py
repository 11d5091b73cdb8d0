"""The site's words do not take over Django admin's where the same English means something else:
the project's catalogue is read before Django's, so an "Action" agreed at a dinner
("Actiepunt") headed admin's history column of what was done ("Actie")."""

import re

from django.contrib.admin.models import CHANGE, LogEntry
from django.urls import reverse

from tests.allies.test_dutch_pages import visible_text


def read(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(visible_text(response.content.decode()).split())


def test_admins_recent_actions_are_its_own(dutch_admin):
    text = read(dutch_admin, reverse("admin:index"))
    assert "Recente acties Mijn acties" in text
    assert "actiepunten" not in text


def test_a_history_page_heads_what_was_done_as_an_action(dutch_admin, admin_user):
    LogEntry.objects.log_actions(admin_user.pk, [admin_user], CHANGE, single_object=True)
    text = read(dutch_admin, reverse("admin:allies_user_history", args=[admin_user.pk]))
    assert re.search(r"Datum/tijd Gebruiker Actie\b", text)


def test_a_list_filters_under_admins_heading(dutch_admin, meeting):
    html = dutch_admin.get(reverse("admin:meetings_meeting_changelist")).content.decode()
    assert '<h2 id="changelist-filter-header">Filter</h2>' in html


def test_the_site_keeps_its_own_words(client, citizen):
    citizen.preferred_language = "nl"
    citizen.save()
    client.force_login(citizen)
    text = read(client, reverse("actions:index"))
    assert "Mijn actiepunten" in text
    assert "Filteren" in text

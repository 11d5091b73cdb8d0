"""The topic admin reads in the admin's language: a seeded topic is stored in English and
shown translated, as the rest of the site shows it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Topic
from tests.allies.test_dutch_pages import visible_text

pytestmark = pytest.mark.django_db

# The seeded topics as a Dutch reader sees them, in the order of the Dutch names (the stored
# English names sort them otherwise: Nuisance, Polarisation, Poverty, ...).
IN_DUTCH = [
    "Armoede",
    "Jeugd",
    "Ondermijning",
    "Overlast",
    "Polarisatie",
    "Radicalisering",
    "Veiligheid thuis",
    "Vertrouwen en samenwerking",
]
LIST = reverse("admin:meetings_topic_changelist")


@pytest.fixture
def dutch_admin(admin_client, admin_user):
    admin_user.preferred_language = "nl"
    admin_user.save()
    return admin_client


def names_listed(html: str) -> list[str]:
    """The topics' names in the list, in its order (the first column links each to its form)."""
    return re.findall(r'<th class="field-shown_name"><a [^>]*>([^<]*)</a>', html)


def test_the_list_shows_and_sorts_the_topics_in_the_readers_language(dutch_admin):
    Topic.objects.create(name="Buurtpreventie", description="Buurtapps en -wachten")
    with CaptureQueriesContext(connection) as queries:
        html = dutch_admin.get(LIST).content.decode()
    assert names_listed(html) == sorted([*IN_DUTCH, "Buurtpreventie"])
    # Shown as on the site, yet no query per row.
    Topic.objects.bulk_create(Topic(name=f"Topic {n}", description="Notes") for n in range(40))
    with CaptureQueriesContext(connection) as more_queries:
        dutch_admin.get(LIST)
    assert len(more_queries) == len(queries)
    text = visible_text(html)
    assert "Signalen van radicalisering en hoe je reageert" in text
    assert "Buurtapps en -wachten" in text
    assert "Radicalisation" not in text
    assert "Signs of radicalisation" not in text


def test_the_name_column_sorts_by_the_name_as_shown(dutch_admin):
    name_column = 1  # o counts the columns from 1 after the checkbox
    descending = dutch_admin.get(LIST, {"o": f"-{name_column}"}).content.decode()
    assert names_listed(descending) == IN_DUTCH[::-1]


def test_the_search_finds_a_topic_by_the_name_shown_or_stored(dutch_admin):
    for term in ("armoede", "Poverty"):
        html = dutch_admin.get(LIST, {"q": term}).content.decode()
        assert names_listed(html) == ["Armoede"], term


def test_the_agenda_filter_lists_the_topics_by_the_name_shown(dutch_admin):
    page = dutch_admin.get(reverse("admin:meetings_agendaitem_changelist"))
    [topic_filter] = [
        spec for spec in page.context["cl"].filter_specs if spec.field_path == "topic"
    ]
    assert [name for _, name in topic_filter.lookup_choices] == IN_DUTCH


def test_the_form_says_how_a_standard_topic_is_stored(dutch_admin):
    topic = Topic.objects.get(name="Radicalisation")
    html = dutch_admin.get(reverse("admin:meetings_topic_change", args=[topic.pk])).content
    text = " ".join(visible_text(html.decode()).split())
    assert "Een standaardonderwerp wordt bewaard onder zijn Engelse naam" in text

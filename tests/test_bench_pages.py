"""bench/pages.py: the benchmark's sweep reaches every page of the URL map and every admin list."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import get_resolver

from allies.models import User
from bench.pages import admin_urls, first_page, parameter_values, url_map_candidates, walk
from circles.models import Circle, Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def generated():
    call_command("seed_demo", circles=1)
    circle = Circle.objects.get(name__startswith="Generated circle ")
    coordinator = Membership.objects.get(circle=circle, is_coordinator=True).person
    return coordinator, circle


def test_every_pattern_of_the_url_map_gets_a_url_to_try(generated):
    candidates = dict(url_map_candidates(parameter_values(*generated)))
    assert set(candidates) == {name for name, _params in walk(get_resolver().url_patterns)}
    assert all(candidates.values())
    circle = generated[1]
    assert candidates["circles:detail"] == [f"/circles/{circle.pk}/"]


def test_every_pattern_is_a_page_for_someone_or_a_form_s_post_target(generated, client):
    """The benchmark measures what one of its visitors gets; a page nobody gets (a staff page
    asked for by members only) would be left out of its table without a word."""
    visitors = {"member": client, "anonymous": Client(), "admin": Client()}
    client.force_login(generated[0])
    visitors["admin"].force_login(User.objects.get(username="admin"))
    found, not_pages = {}, {}
    for name, urls in url_map_candidates(parameter_values(*generated)):
        url, who, statuses = first_page(urls, visitors)
        if url is None:
            not_pages[name] = statuses
        else:
            found[name] = who
    assert found["reports:overview"] == "admin"
    assert found["login"] == "anonymous"
    assert found["meetings:record"] == "member"
    # A form's POST target: 405 for a GET, and the sign-in redirect (302) for the anonymous.
    assert not_pages and all(s - {302} == {405} for s in not_pages.values()), not_pages


def test_a_parameter_it_has_no_value_for_stops_it(generated):
    values = parameter_values(*generated) | {"poll_id": []}
    with pytest.raises(ValueError, match="poll_id"):
        list(url_map_candidates(values))


def test_every_admin_list_with_the_rows_of_its_first_page(generated):
    urls = admin_urls()
    for model, model_admin in admin.site._registry.items():
        url, rows = urls[f"admin {model._meta.label_lower} list"]
        assert rows == min(model.objects.count(), model_admin.list_per_page), url
    assert urls["admin meetings.meeting list"][0] == "/admin/meetings/meeting/"
    assert "admin auth.group change" not in urls  # no group: no change form to open

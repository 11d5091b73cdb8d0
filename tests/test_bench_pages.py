"""bench/pages.py: the benchmark's sweep reaches every page of the URL map and every admin list."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import get_resolver

from bench.pages import admin_urls, parameter_values, url_map_candidates, walk
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

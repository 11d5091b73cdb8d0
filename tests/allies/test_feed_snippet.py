"""templates/allies/_feed.html: the calendar-feed part of the profile page."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory


@pytest.fixture
def html(citizen, settings):
    settings.SITE_URL = "https://allies.example.nl"
    request = RequestFactory().get("/accounts/profile/")
    request.user = citizen
    return render_to_string("allies/_feed.html", {"user": citizen}, request=request)


def test_it_shows_my_feed_url_and_a_webcal_link(html, citizen):
    assert f'value="https://allies.example.nl/calendar/{citizen.feed_token}.ics"' in html
    assert f'href="webcal://allies.example.nl/calendar/{citizen.feed_token}.ics"' in html


def test_the_url_field_is_labelled_and_the_reset_is_a_post_form_behind_a_second_step(html):
    assert '<label for="calendar-feed-url"' in html
    assert 'id="calendar-feed-url"' in html
    # Folded away until "Reset link" is pressed: one tap breaks every subscribed calendar.
    assert re.search(
        r'<details class="calendar-feed-reset">\s*<summary [^>]*>Reset link</summary>\s*'
        r'<form method="post" action="/accounts/profile/feed/reset/"',
        html,
    )
    assert "csrfmiddlewaretoken" in html
    assert "style=" not in html and "<script>" not in html


def test_it_renders_nothing_for_an_anonymous_visitor(db):
    html = render_to_string("allies/_feed.html", {"user": AnonymousUser()})
    assert "calendar" not in html.lower()

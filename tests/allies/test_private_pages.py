"""What a signed-in person is shown is kept in no cache, the browser's included
(allies.middleware.PrivatePagesMiddleware)."""

import pytest
from django.utils.cache import get_max_age

from tests.conftest import make_meeting


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part}


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/profile/",
        "/circles/{circle}/",
        "/meetings/{meeting}/",
        "/circles/{circle}/contacts.vcf",
        "/circles/{circle}/calendar.ics",
    ],
)
def test_pages_and_files_of_a_signed_in_person_are_not_stored(client, circle, coordinator, path):
    meeting = make_meeting(circle)
    client.force_login(coordinator)
    response = client.get(path.format(circle=circle.pk, meeting=meeting.pk))
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_a_response_that_says_how_it_is_kept_keeps_it(client, coordinator):
    client.force_login(coordinator)
    response = client.get(f"/calendar/{coordinator.feed_token}.ics")
    assert directives(response) == {"private", "max-age=0"}
    assert get_max_age(response) == 0


def test_what_anyone_may_see_is_left_to_the_browser(client, db):
    assert "Cache-Control" not in client.get("/healthz")

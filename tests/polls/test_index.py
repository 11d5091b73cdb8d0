"""A circle's date polls (/circles/<id>/polls/), open ones first."""

from django.utils import timezone

from tests.conftest import count_queries
from tests.polls.conftest import answer, make_poll

URL = "/circles/{}/polls/"


def test_members_see_the_polls_open_first(client, clock, circle, cast, other_circle):
    closed = make_poll(circle, title="Winter dinner")
    closed.closed_at = timezone.now()
    closed.save()
    open_poll = make_poll(circle, title="Spring dinner")
    answer(open_poll, cast["officer"], "yes", "no")
    make_poll(other_circle, title="Tilburg dinner")
    client.force_login(cast["citizen"])
    html = client.get(URL.format(circle.pk)).content.decode()
    assert html.index("Spring dinner") < html.index("Winter dinner")
    assert "closed without a date" in html
    assert "Tilburg dinner" not in html
    assert "New date poll" not in html


def test_the_coordinator_can_start_one(client, clock, circle, coordinator):
    client.force_login(coordinator)
    html = client.get(URL.format(circle.pk)).content.decode()
    assert f'href="/circles/{circle.pk}/polls/new/"' in html
    assert "No date polls yet." in html


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(URL.format(circle.pk)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(URL.format(circle.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_query_count_does_not_grow(client, clock, circle, cast):
    client.force_login(cast["citizen"])
    for _ in range(3):
        answer(make_poll(circle), cast["officer"], "yes", "no")
    few = count_queries(client, URL.format(circle.pk))
    for _ in range(57):
        answer(make_poll(circle), cast["officer"], "yes", "no")
    assert count_queries(client, URL.format(circle.pk)) == few

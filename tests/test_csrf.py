"""Every view that accepts a POST refuses one without a CSRF token, for a signed-in
coordinator. The URL patterns come from the resolver, with their parameters filled by name, so
a view added later is covered without editing this test."""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from actions.models import Action

pytestmark = pytest.mark.django_db

# Views that must be covered; the walk must find them.
MUST_COVER = {"login", "logout", "set_language", "password_change", "admin:login"}


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


@pytest.fixture
def values(circle, coordinator, meeting):
    action = Action.objects.create(circle=circle, meeting=meeting, title="Visit the school")
    return {
        "circle_id": circle.pk,
        "meeting_id": meeting.pk,
        "action_id": action.pk,
        "membership_id": coordinator.memberships.get().pk,
        "poll_id": 1,
        "invitation_id": 1,
        "year": datetime.date.today().year,
        "token": coordinator.feed_token,
        # Django's own (admin, password reset) parameters.
        "object_id": meeting.pk,
        "app_label": "meetings",
        "uidb64": "MQ",
        "id": coordinator.pk,
        "history_id": 1,
        "content_type_id": 1,
    }


def test_every_post_without_a_csrf_token_is_refused(client, coordinator, values):
    client.handler.enforce_csrf_checks = True
    client.force_login(coordinator)
    covered, skipped = set(), []
    for name, pattern in walk(get_resolver().url_patterns):
        regex = pattern.pattern.regex
        params = set(regex.groupindex)
        # Unnamed groups (simple-history's admin pages) get a plain id each.
        args = [1] * regex.groups if not params else None
        try:
            url = reverse(name, args=args, kwargs={p: values[p] for p in params if p in values})
        except NoReverseMatch:
            skipped.append(name)
            continue
        if getattr(pattern.callback, "csrf_exempt", False):
            # An exempt view must not change anything on a POST.
            assert client.post(url).status_code == 405, name
            continue
        response = client.post(url, {"language": "en", "username": "x", "password": "y"})
        assert response.status_code == 403, (name, url, response.status_code)
        assert "403_csrf.html" in [t.name for t in response.templates], name
        covered.add(name)
    assert covered >= MUST_COVER, MUST_COVER - covered
    # A new parameter name needs a value above; until then its pages would go unchecked.
    assert skipped == []


def test_the_same_post_with_a_token_gets_through(client, coordinator):
    client.handler.enforce_csrf_checks = True
    client.force_login(coordinator)
    page = client.get(reverse("dashboard"))
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else None
    token = token or client.cookies["csrftoken"].value
    response = client.post(
        reverse("set_language"), {"language": "nl", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.preferred_language == "nl"

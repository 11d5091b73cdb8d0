"""Every page, not only the key ones: the URL map walked from the resolver, and every admin list
and change form. measure.py times each as the benchmark's member, anonymously or as the admin,
so that a page nobody thought of as "key" still shows when it slows down at national size.

The walk is shared with the tests (tests/test_permissions.py), so a page added later is in both.
"""

import itertools

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from circles.models import Circle, Invitation, Sector
from meetings.models import Meeting


def walk(patterns, namespace="", inherited=frozenset()):
    """(URL name, parameter names) of every pattern below `patterns`, admin left out."""
    for entry in patterns:
        params = inherited | set(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner, params)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else None
            yield name, frozenset(params)


def parameter_values(user, circle) -> dict[str, list]:
    """What each URL parameter can be, from the member's first circle: a page is measured with
    the first combination that answers 200 (a held meeting's record form, an upcoming one's
    cancel form; this year's report, or else next year's plan). The password reset link is a
    stale one: its page says so."""
    meetings = Meeting.objects.filter(circle=circle).order_by("-starts_at")
    held = meetings.filter(status=Meeting.Status.HELD).first()
    upcoming = meetings.filter(starts_at__gt=timezone.now()).last()
    other = circle.memberships.exclude(person=user).order_by("pk").first()
    year = timezone.localdate().year
    return {
        "circle_id": [circle.pk],
        "meeting_id": [meeting.pk for meeting in (held, upcoming) if meeting is not None],
        "action_id": [circle.actions.order_by("-pk").first().pk],
        "membership_id": [other.pk],
        "poll_id": list(circle.polls.open().values_list("pk", flat=True)[:1]),
        "year": [year, year + 1],
        "invitation_id": [_open_invitation(user).pk],
        "token": [user.feed_token],  # also an (expired) password reset link
        "uidb64": [urlsafe_base64_encode(force_bytes(user.pk))],
    }


def _open_invitation(user) -> Invitation:
    """An open invitation of the member to a circle they are not in, made if need be."""
    other = Circle.objects.exclude(memberships__person=user).order_by("pk").first()
    invitation, _made = Invitation.objects.get_or_create(
        person=user, circle=other, answered_at=None, defaults={"sector": Sector.POLICE}
    )
    return invitation


def url_map_candidates(values: dict[str, list]):
    """(URL name, its URLs to try in turn) for every named pattern of the URL map. A parameter
    without values stops the benchmark: teach it to parameter_values."""
    for name, params in sorted(walk(get_resolver().url_patterns), key=lambda item: str(item[0])):
        params = sorted(params)
        unknown = [param for param in params if not values.get(param)]
        if unknown:
            raise ValueError(f"{name}: no values for the URL parameter(s) {unknown}")
        choices = itertools.product(*(values[param] for param in params))
        yield name, [reverse(name, kwargs=dict(zip(params, c, strict=True))) for c in choices]


def first_page(urls: list[str], visitors: dict) -> tuple[str | None, str | None, set[int]]:
    """The first of the URLs that answers a GET with 200 and who got it, asking each visitor
    (a name and a test client) in turn; the statuses the others got."""
    statuses = set()
    for url in urls:
        for who, client in visitors.items():
            status = client.get(url).status_code
            if status == 200:
                return url, who, statuses
            statuses.add(status)
    return None, None, statuses


def admin_urls() -> dict[str, tuple[str, int | None]]:
    """Every admin list, with the rows its first page shows (a list of 20 circles shows 20, one
    of 2,000 a full page), and the change form of its latest row."""
    urls = {}
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda m: m[0]._meta.label):
        info = model._meta.app_label, model._meta.model_name
        label = f"admin {model._meta.label_lower}"
        rows = min(model._default_manager.count(), model_admin.list_per_page)
        urls[f"{label} list"] = (reverse("admin:{}_{}_changelist".format(*info)), rows)
        latest = model._default_manager.order_by("-pk").first()
        if latest is not None:
            change = reverse("admin:{}_{}_change".format(*info), args=[latest.pk])
            urls[f"{label} change"] = (change, None)
    return urls

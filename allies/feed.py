"""The personal calendar feed, /calendar/<token>.ics, and resetting its secret link.

The feed is the one thing a calendar app can read without signing in, so its link is a secret
(User.feed_token, 192 random bits). It opens nothing but the feed: no session, no other page.
"""

import re
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST, require_safe

from actions.models import Action
from allies.models import FEED_SELECTOR_LENGTH, User, new_feed_token
from circles.models import Circle
from meetings import calendar
from meetings.models import Meeting

# The profile page (DESIGN.md's URL map); the reset button sits there.
PROFILE_PATH = "/accounts/profile/"
# Tokens are made by new_feed_token(): URL-safe base64, 32 characters. Anything else is refused
# before the database is asked.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{32,64}")


def person_for_token(token: str) -> User | None:
    """The active person whose feed token this is, found in constant time.

    A plain `feed_token=token` lookup would let the database compare the secret, and the time an
    index search takes can tell how much of a guess was right. So the first FEED_SELECTOR_LENGTH
    characters (User.feed_selector) only select candidates (treat them as public: their timing
    may leak), and the whole token is then compared with secrets.compare_digest, which takes the
    same time wherever the strings differ. The part that stays secret is the other 24
    characters, 144 random bits, above the 128 that guessing would need to beat.
    """
    if not TOKEN_FORMAT.fullmatch(token):
        return None
    candidates = User.objects.filter(
        is_active=True, feed_selector=token[:FEED_SELECTOR_LENGTH]
    ).only("pk", "feed_token", "preferred_language")
    found = None
    for person in candidates:
        if secrets.compare_digest(person.feed_token.encode(), token.encode()):
            found = person
    return found


@require_safe
def calendar_feed(request, token):
    """My circles' meetings (last twelve months and ahead) and the due dates of my actions."""
    person = person_for_token(token)
    if person is None:
        raise Http404
    now = timezone.now()
    circles = Circle.objects.for_user(person)
    meetings = calendar.in_window(Meeting.objects.filter(circle__in=circles), now)
    actions = (
        Action.objects.unfinished()
        .filter(owners=person, circle__in=circles, due_date__isnull=False)
        .filter(due_date__gte=timezone.localdate(now) - calendar.PAST_WINDOW)
        .select_related("circle")
        .order_by("due_date", "pk")
    )
    with translation.override(person.preferred_language):
        body = calendar.personal_calendar(meetings, actions)
    response = calendar.ics_response(body, "allies.ics", attachment=False)
    # A secret address: keep it out of shared caches, search engines and Referer headers.
    response["Cache-Control"] = "private, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def feed_reset(request):
    """A new secret link for my feed; the old one answers 404 from now on."""
    request.user.feed_token = new_feed_token()
    request.user.save(update_fields=["feed_token"])
    messages.success(
        request,
        gettext(
            "Your calendar link has been reset. The old link no longer works: "
            "subscribe again with the new one."
        ),
    )
    return redirect(PROFILE_PATH)

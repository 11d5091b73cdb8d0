from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from allies.middleware import CHOSEN_LANGUAGE_SESSION_KEY
from circles.models import Circle
from meetings.models import Meeting, Response


@login_required
def dashboard(request):
    """My circles, my next dinners with my answer, my open actions (overdue first)."""
    user = request.user
    circles = Circle.objects.for_user(user)
    next_meetings = (
        Meeting.objects.for_user(user)
        .upcoming()
        .select_related("circle")
        .prefetch_related(
            Prefetch("responses", queryset=Response.objects.filter(person=user), to_attr="mine")
        )[:5]
    )
    actions = (
        user.owned_actions.unfinished()
        .filter(circle__in=circles)
        .select_related("circle")
        # Earliest due first puts the overdue ones on top.
        .order_by(F("due_date").asc(nulls_last=True), "pk")[:10]
    )
    ctx = {"circles": circles, "next_meetings": next_meetings, "actions": actions}
    return render(request, "allies/dashboard.html", ctx)


def healthz(request):
    """200 "ok" when the app and its database answer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice as the person's preferred
    language: now when signed in, else at sign-in (see PreferredLanguageMiddleware)."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    else:
        request.session[CHOSEN_LANGUAGE_SESSION_KEY] = language
    return response

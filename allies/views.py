import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.db.models import F, Prefetch
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from allies import privacy
from allies.security import log_refused
from circles.models import Circle
from meetings.models import Meeting, Response

logger = logging.getLogger(__name__)


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
    """200 "ok" when the app and its database answer; 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """A refused form post (no or a stale CSRF token), in the site's style, and logged."""
    log_refused(request, 403, f"CSRF: {reason}")
    request._refusal_logged = True
    return render(request, "403_csrf.html", {}, status=403)


@login_required
@require_safe
def my_data(request):
    """Everything stored about me, as a JSON download; nothing about anyone else."""
    data = privacy.person_export(request.user)
    today = timezone.localdate().isoformat()
    response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="allies-my-data-{today}.json"'
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice for a signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    return response

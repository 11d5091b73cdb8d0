"""The year in one page (with its CSV export) for a circle's members, and all circles at a
glance for staff. The permission helper comes first."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.text import slugify

from circles.health import health_for_circles, member_attendance, refresh_summaries
from circles.models import Circle, Membership
from circles.views import _get_circle_for_user
from reports import export as csv_export
from reports.charts import action_group_labels, year_charts
from reports.figures import sector_labels, year_report
from reports.forms import DEFAULT_ORDERING, OverviewForm

PAGE_SIZE = 25
FIRST_YEAR = 2000
YEARS_AHEAD = 10


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= timezone.localdate().year + YEARS_AHEAD:
        raise Http404


def _members_of_year(circle, year: int, now):
    """Everyone who was a member in the year, those who left included, with the dinners they
    came to; None for a year still ahead."""
    if year > timezone.localdate(now).year:
        return None
    return member_attendance(circle, now, year=year)


@login_required
def year(request, circle_id, year):
    """Dinners against the target, attendance by sector, topics and actions of one year."""
    circle, is_coordinator = _get_circle_for_user(request, circle_id)
    _check_year(year)
    now = timezone.now()
    report = year_report(circle, year, now)
    this_year = year == timezone.localdate(now).year
    ctx = {
        "circle": circle,
        "is_coordinator": is_coordinator,
        "year": year,
        "report": report,
        "charts": year_charts(report),
        "sectors": sector_labels(),
        "action_labels": action_group_labels(),
        "health": health_for_circles([circle], now)[circle.pk] if this_year else None,
        "commitment": _members_of_year(circle, year, now),
        "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < timezone.localdate(now).year + YEARS_AHEAD else None,
    }
    return render(request, "reports/year.html", ctx)


@login_required
def export(request, circle_id, year):
    """The year's figures as a CSV file, for coordinators."""
    circle, is_coordinator = _get_circle_for_user(request, circle_id)
    if not is_coordinator:
        raise PermissionDenied
    _check_year(year)
    now = timezone.now()
    report = year_report(circle, year, now)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{slugify(circle.name) or 'circle'}-{year}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte-order mark, so that spreadsheet apps read UTF-8
    # Spreadsheet apps where a comma is the decimal mark (Dutch) split a row at semicolons.
    delimiter = ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","
    csv_export.write_report(
        csv.writer(response, delimiter=delimiter), report, _members_of_year(circle, year, now)
    )
    return response


@login_required
def overview(request):
    """Every circle with its health flags, for staff; search, sort, page.
    The page is chosen on the summary stored on each circle, worked out again first where it
    no longer holds; the full health is asked for the page's circles only."""
    if not request.user.is_staff:
        raise Http404
    now = timezone.now()
    refresh_summaries(now)
    form = OverviewForm(request.GET or None)
    circles = Circle.objects.all()
    ordering = DEFAULT_ORDERING
    if form.is_valid():
        circles = form.filter(circles)
        if form.cleaned_data["flagged"]:
            circles = circles.filter(flag_count__gt=0)
        ordering = form.ordering()
    # Whom to call about a flagged circle: its coordinators, in one query for the page.
    coordinators = Prefetch(
        "memberships",
        Membership.objects.active().coordinators().select_related("person").order_by("pk"),
        to_attr="coordinator_memberships",
    )
    circles = circles.order_by(*_with_nulls(ordering), "pk").prefetch_related(coordinators)
    page = Paginator(circles, PAGE_SIZE).get_page(request.GET.get("page"))
    healths = health_for_circles(page.object_list, now)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "page": page,
        "rows": [
            (healths[circle.pk], [m.person for m in circle.coordinator_memberships])
            for circle in page.object_list
        ],
        "query": query.urlencode(),
    }
    return render(request, "reports/overview.html", ctx)


def _with_nulls(ordering):
    """A circle that never held a dinner comes first among the longest ago; one with no dinner
    planned comes after those with one."""
    dates = {
        "last_dinner_at": F("last_dinner_at").asc(nulls_first=True),
        "next_dinner_at": F("next_dinner_at").asc(nulls_last=True),
    }
    return [dates.get(field, field) for field in ordering]

"""Calendar files for signed-in members: one meeting, and a circle's meetings.

Access goes through Meeting.objects.for_user / Circle.objects.for_user, so people who are not
(or no longer) members get 404, as for every page of a circle.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_safe

from circles.models import Circle
from meetings import calendar
from meetings.models import Meeting


@login_required
@require_safe
def meeting_ics(request, meeting_id):
    """The meeting as a calendar file, to add it to a calendar app."""
    meetings = calendar.with_agenda(Meeting.objects.for_user(request.user))
    meeting = get_object_or_404(meetings, pk=meeting_id)
    day = timezone.localtime(meeting.starts_at).date()
    return calendar.ics_response(calendar.meeting_calendar(meeting), f"allies-{day:%Y-%m-%d}.ics")


@login_required
@require_safe
def circle_ics(request, circle_id):
    """The circle's meetings of the last twelve months and all ahead."""
    circle = get_object_or_404(Circle.objects.for_user(request.user), pk=circle_id)
    meetings = calendar.in_window(circle.meetings.all())
    return calendar.ics_response(
        calendar.circle_calendar(circle, meetings), f"allies-circle-{circle.pk}.ics"
    )

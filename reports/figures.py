"""The year in one page: a circle's figures for one calendar year, in a fixed number of queries.

The rules follow circles/health.py: a *dinner* is a meeting of kind DINNER; extra meetings show
in the year's history (and their attendance) but never count towards the target. A dinner is
*held* once it started unless cancelled, *planned* before that. Attendance is known for meetings
whose attendance was recorded (status HELD); an attendee counts in the sector of their
membership of the circle, "guest" without one. The members at the time are the memberships that
had started on the meeting's day and not ended on or before it, plus members recorded as present
outside those dates.

Actions *agreed* in the year are those of a meeting of that year (or, agreed outside a meeting,
created in it); each counts once by its status today: done, dropped, overdue (open or in progress
with a due date before today), or still open.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from actions.models import Action
from circles.health import SubqueryCount, by_members_not_active_then, year_bounds
from circles.models import Circle, Membership, Sector
from meetings.models import AgendaItem, Attendance, Meeting

GUEST = "guest"
SECTOR_KEYS = [*Sector.values, GUEST]


def sector_labels() -> dict[str, str]:
    """Sector keys and their names in the active language, guests last."""
    return {**{s.value: str(s.label) for s in Sector}, GUEST: gettext("guests")}


@dataclass
class MeetingRow:
    meeting: Meeting
    held: bool
    recorded: bool
    members_then: int
    by_sector: dict[str, int]
    topics: list[str]

    @property
    def attended(self) -> int:
        return sum(self.by_sector.values())

    @property
    def counts_towards_target(self) -> bool:
        return self.meeting.kind == Meeting.Kind.DINNER and not self.meeting.is_cancelled

    @property
    def attendance_percent(self) -> int | None:
        if not self.recorded or not self.members_then:
            return None
        return round(100 * (self.attended - self.by_sector[GUEST]) / self.members_then)


@dataclass
class YearReport:
    circle: Circle
    year: int
    target: int
    meetings: list[MeetingRow]
    topics: list[tuple[str, int]]
    actions: list[Action]
    action_counts: dict[str, int]

    @property
    def dinners_held(self) -> int:
        return sum(1 for row in self.meetings if row.counts_towards_target and row.held)

    @property
    def dinners_planned(self) -> int:
        return sum(1 for row in self.meetings if row.counts_towards_target and not row.held)

    @property
    def extras_held(self) -> int:
        return sum(
            1
            for row in self.meetings
            if row.meeting.kind == Meeting.Kind.EXTRA and row.held and not row.meeting.is_cancelled
        )

    @property
    def recorded(self) -> list[MeetingRow]:
        return [row for row in self.meetings if row.recorded]

    @property
    def attended_total(self) -> int:
        return sum(row.attended for row in self.recorded)

    @property
    def sector_totals(self) -> dict[str, int]:
        totals = dict.fromkeys(SECTOR_KEYS, 0)
        for row in self.recorded:
            for sector, count in row.by_sector.items():
                totals[sector] += count
        return totals


def year_report(circle: Circle, year: int, now: datetime.datetime | None = None) -> YearReport:
    """Everything on the year's page, in five queries whatever the number of meetings."""
    now = now or timezone.now()
    start, end = year_bounds(year)
    day = TruncDate("starts_at")
    members_then = Membership.objects.filter(
        Q(left_on__isnull=True) | Q(left_on__gt=OuterRef("day")),
        circle=OuterRef("circle"),
        joined_on__lte=OuterRef("day"),
    )
    meetings = list(
        circle.meetings.filter(starts_at__gte=start, starts_at__lt=end)
        .annotate(day=day)
        .annotate(members_then=SubqueryCount(members_then.values("pk")))
        .prefetch_related(
            Prefetch(
                "agenda_items",
                queryset=AgendaItem.objects.filter(topic__isnull=False).select_related("topic"),
            )
        )
        .order_by("starts_at", "pk")
    )
    by_sector = _attendance_by_sector(circle, meetings)
    late = _late_members(meetings)
    rows = []
    topic_counts: Counter[str] = Counter()
    for meeting in meetings:
        held = meeting.starts_at <= now and not meeting.is_cancelled
        topics = list(dict.fromkeys(str(item.topic) for item in meeting.agenda_items.all()))
        if held:
            topic_counts.update(topics)
        rows.append(
            MeetingRow(
                meeting=meeting,
                held=held,
                recorded=meeting.status == Meeting.Status.HELD,
                members_then=meeting.members_then + late.get(meeting.pk, 0),
                by_sector=by_sector.get(meeting.pk, {}),
                topics=topics,
            )
        )
    actions = _actions_agreed(circle, start, end)
    today = timezone.localdate(now)
    return YearReport(
        circle=circle,
        year=year,
        target=circle.target_in(year),
        meetings=rows,
        topics=sorted(topic_counts.items(), key=lambda item: (-item[1], item[0])),
        actions=actions,
        action_counts=_action_counts(actions, today),
    )


def _attendance_by_sector(circle, meetings) -> dict[int, dict[str, int]]:
    """Per recorded meeting, the attendees per sector (all sectors present, guests too)."""
    recorded = [m.pk for m in meetings if m.status == Meeting.Status.HELD]
    sector = Membership.objects.filter(circle=circle, person=OuterRef("person")).order_by(
        "-joined_on", "-pk"
    )
    counted = (
        Attendance.objects.filter(meeting__in=recorded)
        .annotate(sector=Subquery(sector.values("sector")[:1]))
        .values("meeting_id", "sector")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = {pk: dict.fromkeys(SECTOR_KEYS, 0) for pk in recorded}
    for row in counted:
        result[row["meeting_id"]][row["sector"] or GUEST] += row["n"]
    return result


def _late_members(meetings) -> dict[int, int]:
    """Per recorded meeting, the members who came while their membership was not active that
    day; they count among the members at the time (see circles.health)."""
    recorded = [m.pk for m in meetings if m.status == Meeting.Status.HELD]
    counted = (
        by_members_not_active_then(Attendance.objects.filter(meeting__in=recorded))
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["meeting_id"]: row["n"] for row in counted}


def _actions_agreed(circle, start, end) -> list[Action]:
    return list(
        circle.actions.filter(
            Q(meeting__starts_at__gte=start, meeting__starts_at__lt=end)
            | Q(meeting__isnull=True, created_at__gte=start, created_at__lt=end)
        )
        .select_related("meeting")
        # Those agreed outside a meeting last, on every database.
        .order_by(F("meeting__starts_at").asc(nulls_last=True), "created_at", "pk")
    )


ACTION_GROUPS = ("done", "dropped", "open", "overdue")


def action_group(action: Action, today: datetime.date) -> str:
    if action.status == Action.Status.DONE:
        return "done"
    if action.status == Action.Status.DROPPED:
        return "dropped"
    if action.due_date is not None and action.due_date < today:
        return "overdue"
    return "open"


def _action_counts(actions, today) -> dict[str, int]:
    counts = dict.fromkeys(ACTION_GROUPS, 0)
    for action in actions:
        counts[action_group(action, today)] += 1
    return counts

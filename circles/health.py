"""Circle health: is the circle alive, in quiet times as well as in turmoil?

For one circle or many at once: every figure is an annotation on the Circle queryset
(correlated subqueries), so health_for_circles asks one query whatever the number of circles.
A long list (the staff overview) sorts, filters and pages in the database, then asks for the
health of its page only. It sorts on a summary stored on the circle (the number of flags, the
last and the next dinner; refresh_summaries): working it out for every circle of a country on
each visit would take seconds.

The rules (DESIGN.md "Peace, not only turmoil"; issue 10). Days are local days (Europe/Amsterdam);
"now" is the moment of the question, "this year" the calendar year of today.

- A *dinner* is a meeting of kind DINNER. Extra meetings (kind EXTRA, called in turmoil) show in
  the circle's history and report but never count towards the target, the 90-day horizon or the
  attendance rate: they do not replace a dinner in quiet times.
- A dinner is *held* once it has started, unless it was cancelled (recorded or not: an
  unrecorded dinner still took place, and send_reminders asks the coordinator to record it).
  It is *planned* while it has not started and is not cancelled.
- **No dinner planned**: no planned dinner starts on or before the 90th day from today
  (a dinner on day 90 is in time, one on day 91 is not).
- **Behind the target**: the dinners held plus those planned this year are fewer than the
  circle's target for this year. A plan that reaches the target is enough: what a coordinator
  can do about it is to put the dates in the calendar. In December the coordinator is offered
  next year's planner beside this year's, and only next year's once no dinner fits in what is
  left of this one (the planner's notice, meetings.planner.has_room): the flag stays, the year
  is behind, but its advice turns to the next year.
- The *target* of a year is the circle's dinners per year, but in the year the circle was
  created (Circle.created_at, local time) only for the part of the year it existed: the whole
  months left, counting the month it was created in, rounded half up (target * (13 - month) /
  12: five a year from July is 3, from November 1, from December 0, so no flag). Later years
  have the whole target (Circle.target_in; Circle.target_in_sql for the SQL flag).
- **Attendance rate**: over the last four dinners whose attendance was recorded (status HELD),
  the members who came divided by the members at the time: the memberships that had started on
  the dinner's day and not ended on or before it, plus any member recorded as present outside
  those dates (they were there, so the rate never exceeds 100%). Guests, attendees without a
  membership of the circle, count on neither side. **Low attendance**: that rate is below one
  half; exactly half is not flagged, and without a recorded dinner there is no rate and no flag.
- Open actions are open or in progress; overdue ones are open with a due date before today.
- A member has no current commitment when they never committed, their commitment ran out
  before today, or they agreed to a text of it that the circle has changed since
  (Membership.agreed_to_earlier_commitment: they are asked to commit again).
- The sectors of a circle are those of its active members: a circle brings police,
  municipality and community together, and a new one's coordinator is told which are missing
  (circles.getting_started), and for which of those someone is invited and has not answered
  yet (an Invitation to an existing account): invited, not yet in.
"""

import dataclasses
import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions.models import Action
from circles.models import Circle, Invitation, Membership, Sector
from meetings.models import Attendance, Meeting
from meetings.planner import has_room

HORIZON_DAYS = 90
RECENT_DINNERS = 4
# Low attendance: fewer than one in two members came (attended * 2 < members at the time).
LOW_ATTENDANCE_DIVISOR = 2
ABSENT_STREAK = 3  # members absent from this many recorded dinners in a row are pointed out


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as a number (0 when it is empty)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()

    def __init__(self, queryset, **extra):
        if not queryset.query.is_sliced:
            queryset = queryset.order_by()  # a count needs no order, and sorting is work
        super().__init__(queryset, **extra)


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day, local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of the year and of the next, local time."""
    return start_of(datetime.date(year, 1, 1)), start_of(datetime.date(year + 1, 1, 1))


def dinners_counted(meetings):
    """The meetings that count as dinners: kind DINNER, not cancelled."""
    return meetings.filter(kind=Meeting.Kind.DINNER).exclude(status=Meeting.Status.CANCELLED)


def recorded_dinners(meetings):
    """Dinners whose attendance was recorded, the latest first."""
    return meetings.filter(kind=Meeting.Kind.DINNER, status=Meeting.Status.HELD).order_by(
        "-starts_at", "-pk"
    )


def _attendees_membership():
    """The attendee's memberships of the meeting's circle (for a queryset of Attendance)."""
    return Membership.objects.filter(circle=OuterRef("meeting__circle"), person=OuterRef("person"))


def by_members(attendances):
    """The attendances of people with a membership of the circle: guests left out."""
    return attendances.filter(Exists(_attendees_membership()))


def _active_on(memberships, day):
    """The memberships active on `day` (a date or an expression), as members_at_the_time counts
    them: joined on or before it, not left on or before it."""
    return memberships.filter(Q(left_on__isnull=True) | Q(left_on__gt=day), joined_on__lte=day)


def by_members_not_active_then(attendances):
    """Attendances of members whose membership was not active on the meeting's day (their
    attendance was recorded with a joining date set later, or after they left). They were there,
    so they count among the members at the time, and no rate goes above 100%."""
    active = _active_on(_attendees_membership(), OuterRef("day"))
    return by_members(attendances.annotate(day=TruncDate("meeting__starts_at"))).filter(
        ~Exists(active)
    )


def members_at_the_time(meetings):
    """One row per (meeting, membership) of the meetings' circles that was active on the
    meeting's local day: count them to get the members "at the time" of those meetings."""
    day = TruncDate("starts_at")
    return (
        meetings.filter(
            Q(circle__memberships__joined_on__lte=day)
            & (
                Q(circle__memberships__left_on__isnull=True)
                | Q(circle__memberships__left_on__gt=day)
            )
        )
        .order_by()
        .values("circle__memberships__pk")
    )


def _horizon(today: datetime.date) -> datetime.datetime:
    """The end of the 90 days from today: a dinner starting before it is planned in time."""
    return start_of(today + datetime.timedelta(days=HORIZON_DAYS + 1))


def _figures(now: datetime.datetime) -> dict:
    """Each health figure of a circle, as an expression correlated to Circle.pk."""
    today = timezone.localdate(now)
    year_start, year_end = year_bounds(today.year)
    horizon = _horizon(today)
    dinners = dinners_counted(Meeting.objects.filter(circle=OuterRef("pk")))
    held = dinners.filter(starts_at__lt=now)
    planned = dinners.filter(starts_at__gte=now)
    this_year = dinners.filter(starts_at__gte=year_start, starts_at__lt=year_end)

    def recent(outer):
        return recorded_dinners(Meeting.objects.filter(circle=outer)).values("pk")[:RECENT_DINNERS]

    recent_attendances = Attendance.objects.filter(
        meeting__in=Subquery(recent(OuterRef(OuterRef("pk"))))
    )
    # The conditions are counted, not filtered on: filtered on, SQLite walks the (status, due
    # date) index of every circle's actions instead of this circle's.
    actions = Action.objects.filter(circle=OuterRef("pk"))
    open_action = Q(status__in=Action.OPEN_STATUSES)
    members = Membership.objects.active().filter(circle=OuterRef("pk"))
    invitations = Invitation.objects.filter(circle=OuterRef("pk"), answered_at__isnull=True)
    return {
        "last_held": Subquery(
            held.order_by("-starts_at").values("starts_at")[:1], output_field=DateTimeField()
        ),
        "next_planned": Subquery(
            planned.order_by("starts_at").values("starts_at")[:1], output_field=DateTimeField()
        ),
        "held_this_year": SubqueryCount(this_year.filter(starts_at__lt=now).values("pk")),
        "dinners_this_year": SubqueryCount(this_year.values("pk")),
        "planned_soon": SubqueryCount(planned.filter(starts_at__lt=horizon).values("pk")),
        "recent_dinners": SubqueryCount(recent(OuterRef("pk"))),
        "attended_recent": SubqueryCount(by_members(recent_attendances).values("pk")),
        "expected_recent": SubqueryCount(
            members_at_the_time(
                Meeting.objects.filter(pk__in=Subquery(recent(OuterRef(OuterRef("pk")))))
            )
        )
        + SubqueryCount(by_members_not_active_then(recent_attendances).values("pk")),
        "open_actions": _count_of_circle(actions, open_action),
        "overdue_actions": _count_of_circle(actions, open_action & Q(due_date__lt=today)),
        "member_count": SubqueryCount(members.values("pk")),
        "members_without_commitment": SubqueryCount(
            members.filter(
                Q(commitment_until__isnull=True)
                | Q(commitment_until__lt=today)
                | _agreed_to_earlier_commitment(OuterRef("commitment_key"))
            ).values("pk")
        ),
        **{f"has_{sector}": Exists(members.filter(sector=sector)) for sector in Sector.values},
        **{
            f"invited_{sector}": Exists(invitations.filter(sector=sector))
            for sector in Sector.values
        },
    }


def _agreed_to_earlier_commitment(circle_key) -> Q:
    """Membership.agreed_to_earlier_commitment in SQL, for memberships of the circle whose
    commitment_key is `circle_key`: they agreed to a text whose key is not the circle's."""
    return ~Q(commitment_agreed_text="") & ~Q(commitment_agreed_key=circle_key)


# The figures the flags are computed from.
FLAG_FIGURES = ("planned_soon", "dinners_this_year", "attended_recent", "expected_recent")


def _flags(year: int) -> dict:
    return {
        "flag_no_dinner": _boolean(Q(planned_soon=0)),
        "flag_behind": _boolean(Q(dinners_this_year__lt=Circle.target_in_sql(year))),
        # With no member expected, 0 > 0 is false: no rate, no flag.
        "flag_low_attendance": _boolean(
            Q(expected_recent__gt=F("attended_recent") * LOW_ATTENDANCE_DIVISOR)
        ),
    }


def _flag_count() -> Case:
    return _as_int("flag_no_dinner") + _as_int("flag_behind") + _as_int("flag_low_attendance")


def with_health(circles, now: datetime.datetime):
    """The circles annotated with every health figure (see the module's rules). health_of
    raises the flags from them: in SQL each flag would repeat the subqueries of its figures,
    doubling the query that every dashboard and circle page asks."""
    return circles.annotate(**_figures(now))


def with_summary_now(circles, now: datetime.datetime):
    """The circles annotated with what the staff overview sorts on, at `now`: flags_now, their
    number of flags (the rules of health_of, in SQL: a test keeps the two in step), last_held
    and next_planned; and beyond_horizon, the first dinner planned after the horizon, which
    says with next_planned how long the rest holds."""
    figures = _figures(now)
    beyond = dinners_counted(Meeting.objects.filter(circle=OuterRef("pk"))).filter(
        starts_at__gte=_horizon(timezone.localdate(now))
    )
    return (
        circles.alias(**{name: figures[name] for name in FLAG_FIGURES})
        .alias(**_flags(timezone.localdate(now).year))
        .annotate(
            flags_now=_flag_count(),
            last_held=figures["last_held"],
            next_planned=figures["next_planned"],
            beyond_horizon=Subquery(
                beyond.order_by("starts_at").values("starts_at")[:1], output_field=DateTimeField()
            ),
        )
    )


def summary_holds_until(
    now: datetime.datetime,
    next_planned: datetime.datetime | None,
    beyond_horizon: datetime.datetime | None,
) -> datetime.datetime:
    """Until when a circle's summary at `now` holds while none of its rows change: until its
    next dinner starts (it is held, no longer planned), the first dinner after the horizon
    comes within it (at the start of its day, 90 days before), or a new year brings a new
    target, whichever comes first."""
    moments = [year_bounds(timezone.localdate(now).year)[1]]
    if next_planned:
        moments.append(next_planned)
    if beyond_horizon:
        day = timezone.localdate(beyond_horizon) - datetime.timedelta(days=HORIZON_DAYS)
        moments.append(start_of(day))
    return min(moments)


BATCH = 500  # circles worked out and stored at a time


def refresh_summaries(now: datetime.datetime | None = None) -> int:
    """Work out again the stored summary (Circle.flag_count, last_dinner_at, next_dinner_at) of
    the circles where it no longer holds: cleared by a change (circles.receivers), or past its
    moment. Usually none or a few, so the overview stays as fast with thousands of circles;
    after a new year, or a migration, all of them once. One query to find them, and three per
    500 of them; returns how many summaries were stored.

    A summary is only stored if the circle's summary_version is still the one it was worked
    out at: a change that commits in between has cleared it again, and it waits for the next
    visit instead of being overwritten with an outdated one."""
    now = now or timezone.now()
    stale = list(
        Circle.objects.filter(Q(summary_valid_until__isnull=True) | Q(summary_valid_until__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(
        _store_summaries(_summaries(stale[start : start + BATCH], now))
        for start in range(0, len(stale), BATCH)
    )


def _summaries(pks: list[int], now: datetime.datetime) -> list[dict]:
    """By the circles' ids (not the condition that found them: the planner then knows how
    few they are, and PostgreSQL does not compile the query for thousands)."""
    rows = with_summary_now(Circle.objects.filter(pk__in=pks).order_by(), now).values(
        "pk", "summary_version", "flags_now", "last_held", "next_planned", "beyond_horizon"
    )
    return [
        {
            "pk": row["pk"],
            "summary_version": row["summary_version"],
            "flag_count": row["flags_now"],
            "last_dinner_at": row["last_held"],
            "next_dinner_at": row["next_planned"],
            "summary_valid_until": summary_holds_until(
                now, row["next_planned"], row["beyond_horizon"]
            ),
        }
        for row in rows
    ]


def _store_summaries(summaries: list[dict]) -> int:
    """Store them, on the circles no other transaction holds: one that does is changing the
    circle (its summary is cleared again as it commits), and waiting for it could deadlock
    with one that clears several circles in turn."""

    def by_circle(name):
        # The column itself otherwise: a CASE of NULLs only would be text to PostgreSQL.
        whens = [When(pk=summary["pk"], then=Value(summary[name])) for summary in summaries]
        return Case(*whens, default=F(name), output_field=Circle._meta.get_field(name))

    with transaction.atomic():
        free = list(
            Circle.objects.filter(pk__in=[summary["pk"] for summary in summaries])
            .order_by()
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        stored = [name for name in Circle.SUMMARY_FIELDS if name != "summary_version"]
        return Circle.objects.filter(
            pk__in=free, summary_version=by_circle("summary_version")
        ).update(**{name: by_circle(name) for name in stored})


def _count_of_circle(queryset, condition: Q) -> Coalesce:
    """How many rows of a queryset correlated to one circle meet the condition."""
    counted = (
        queryset.order_by().values("circle").annotate(n=Count("pk", filter=condition)).values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _boolean(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _as_int(flag: str) -> Case:
    return Case(When(**{flag: True}, then=Value(1)), default=Value(0), output_field=IntegerField())


@dataclass(frozen=True)
class Flag:
    """A reason to worry, what it means, and what to do about it."""

    code: str
    message: str
    advice: str


NO_DINNER = "no_dinner"
BEHIND = "behind"
LOW_ATTENDANCE_FLAG = "low_attendance"


@dataclass(frozen=True)
class Health:
    circle: Circle
    year: int
    today: datetime.date
    target: int
    last_held: datetime.datetime | None
    next_planned: datetime.datetime | None
    held_this_year: int
    dinners_this_year: int
    recent_dinners: int
    attended_recent: int
    expected_recent: int
    open_actions: int
    overdue_actions: int
    member_count: int
    members_without_commitment: int
    sectors: frozenset[str]  # those with an active member (Sector values)
    invited: frozenset[str]  # those of an invitation not answered yet (Sector values)
    flags: tuple[Flag, ...] = ()

    @property
    def planned_this_year(self) -> int:
        return self.dinners_this_year - self.held_this_year

    @property
    def missing_this_year(self) -> int:
        """How many more dinners this year's plan needs to reach the target."""
        return max(self.target - self.dinners_this_year, 0)

    @property
    def next_year(self) -> int:
        return self.year + 1

    @property
    def room_this_year(self) -> bool:
        """Whether a dinner still fits in what is left of this year, on the circle's weekday
        and with the planner's notice (meetings.planner.has_room)."""
        return has_room(self.year, self.today, self.circle.preferred_weekday)

    @property
    def year_ending(self) -> bool:
        """December, or no dinner fits this year any more: time to plan the next one too."""
        return self.today.month == 12 or not self.room_this_year

    @property
    def plan_year(self) -> int:
        """The year to plan: this one until its dinners are all held or planned, or no more of
        them fits; then the next."""
        return self.year if self.missing_this_year and self.room_this_year else self.next_year

    @property
    def missing_sectors(self) -> list[Sector]:
        """The sectors without an active member, in the order of Sector."""
        return [sector for sector in Sector if sector not in self.sectors]

    @property
    def invited_sectors(self) -> list[Sector]:
        """The missing sectors someone is invited for, waiting for their answer."""
        return [sector for sector in self.missing_sectors if sector in self.invited]

    @property
    def attendance_rate(self) -> float | None:
        if not self.expected_recent:
            return None
        return self.attended_recent / self.expected_recent

    @property
    def attendance_percent(self) -> int | None:
        rate = self.attendance_rate
        return None if rate is None else round(rate * 100)

    @property
    def is_flagged(self) -> bool:
        return bool(self.flags)

    @property
    def flag_codes(self) -> set[str]:
        return {flag.code for flag in self.flags}

    @property
    def needs_dinners(self) -> bool:
        """A flag that more dinners answer: none planned soon, or behind the target."""
        return bool(self.flag_codes & {NO_DINNER, BEHIND})


def health_of(circle: Circle, now: datetime.datetime) -> Health:
    """The health of a circle that came through with_health(…, now)."""
    today = timezone.localdate(now)
    year = today.year
    health = Health(
        circle=circle,
        year=year,
        today=today,
        target=circle.target_in(year),
        last_held=circle.last_held,
        next_planned=circle.next_planned,
        held_this_year=circle.held_this_year,
        dinners_this_year=circle.dinners_this_year,
        recent_dinners=circle.recent_dinners,
        attended_recent=circle.attended_recent,
        expected_recent=circle.expected_recent,
        open_actions=circle.open_actions,
        overdue_actions=circle.overdue_actions,
        member_count=circle.member_count,
        members_without_commitment=circle.members_without_commitment,
        sectors=frozenset(sector for sector in Sector.values if getattr(circle, f"has_{sector}")),
        invited=frozenset(
            sector for sector in Sector.values if getattr(circle, f"invited_{sector}")
        ),
    )
    flags = []
    if circle.planned_soon == 0:
        flags.append(_no_dinner_flag())
    if health.dinners_this_year < health.target:
        flags.append(_behind_flag(health))
    # With no member expected, 0 > 0 is false: no rate, no flag.
    if health.expected_recent > health.attended_recent * LOW_ATTENDANCE_DIVISOR:
        flags.append(_low_attendance_flag(health))
    return dataclasses.replace(health, flags=tuple(flags))


def _no_dinner_flag() -> Flag:
    return Flag(
        NO_DINNER,
        _("No dinner planned in the next %(days)d days.") % {"days": HORIZON_DAYS},
        _(
            "Plan the next dinner now, or offer a few dates in a date poll: keep in touch in "
            "quiet times, not only in turmoil."
        ),
    )


def _behind_flag(health: Health) -> Flag:
    if health.room_this_year:
        advice = ngettext(
            "Plan %(missing)d more dinner this year, in the year planner or with a date poll.",
            "Plan %(missing)d more dinners this year, in the year planner or with a date poll.",
            health.missing_this_year,
        ) % {"missing": health.missing_this_year}
    else:
        advice = _(
            "No more dinner fits in what is left of %(year)d: plan the dinners of %(next_year)d "
            "now, so that the new year starts with one in the calendar."
        ) % {"year": health.year, "next_year": health.next_year}
    return Flag(
        BEHIND,
        _("Behind the target: %(count)d of %(target)d dinners held or planned in %(year)d.")
        % {"count": health.dinners_this_year, "target": health.target, "year": health.year},
        advice,
    )


def _low_attendance_flag(health: Health) -> Flag:
    return Flag(
        LOW_ATTENDANCE_FLAG,
        _("Low attendance: %(percent)d%% of the members came to the last %(count)d dinners.")
        % {"percent": health.attendance_percent, "count": health.recent_dinners},
        _(
            "Ask the members who stayed away what would help them come, and whether the day, "
            "the time and the place suit them."
        ),
    )


def health_for_circles(circles, now: datetime.datetime | None = None) -> dict[int, Health]:
    """The health of each circle (Circle objects, ids or a queryset), by circle id, in one
    query whatever their number."""
    now = now or timezone.now()
    ids = [getattr(circle, "pk", circle) for circle in circles]
    annotated = with_health(Circle.objects.filter(pk__in=ids), now)
    return {circle.pk: health_of(circle, now) for circle in annotated}


def health_for_coordinator(user, now: datetime.datetime | None = None) -> list[Health]:
    """The circles the user coordinates, flagged ones first, for the dashboard (one query)."""
    now = now or timezone.now()
    coordinated = Circle.objects.filter(
        memberships__person=user,
        memberships__left_on__isnull=True,
        memberships__is_coordinator=True,
    )
    healths = [health_of(circle, now) for circle in with_health(coordinated, now)]
    # The query returned them by municipality and name; a stable sort keeps that order within
    # the same number of flags.
    return sorted(healths, key=lambda health: -len(health.flags))


@dataclass(frozen=True)
class MemberAttendance:
    """A member's dinners in a year: attended against those held while they were a member.
    One who left and came back in the year has a membership for each period, `periods`, from
    the earliest to the latest: one row, their dinners counted once."""

    periods: tuple[Membership, ...]
    attended: int
    held: int
    absent_recently: bool
    year: int

    @property
    def membership(self) -> Membership:
        """Their latest membership: the one that says their sector and whether they
        coordinate."""
        return self.periods[-1]

    @property
    def person(self):
        return self.membership.person

    @property
    def joined_in_year(self) -> datetime.date | None:
        """The day they joined, if it fell in the year after its first day: it explains why
        fewer dinners were held for them."""
        joined = self.periods[0].joined_on
        return (
            joined if joined.year == self.year and joined > datetime.date(self.year, 1, 1) else None
        )

    @property
    def returns(self) -> list[tuple[datetime.date, datetime.date]]:
        """Each time they left in the year and came back: the day they left and the day they
        joined again. The dinners in between count as held for them only if they came."""
        return [(gone.left_on, back.joined_on) for gone, back in itertools.pairwise(self.periods)]

    @property
    def left_in_year(self) -> datetime.date | None:
        """The day they left, if it fell in the year and they did not come back: one who left
        later was a member all year."""
        left = self.membership.left_on
        return left if left is not None and left.year == self.year else None


@dataclass(frozen=True)
class Commitment:
    """Commitment against attendance in a circle, for its coordinators. `target` is the
    circle's target in `year` (Circle.target_in: fewer in its first year): the circle page
    counts each member's dinners against it, where `members` has them against the dinners held
    while they were a member. `current`: the year is this one, its dinners counted so far."""

    year: int
    members: list[MemberAttendance]
    target: int
    current: bool = True

    @property
    def absent(self) -> list[MemberAttendance]:
        """Members absent from each of the last three recorded dinners, which all took place
        after they joined: the coordinator should get in touch."""
        return [member for member in self.members if member.absent_recently]

    @property
    def due(self) -> list[Membership]:
        """Active members who have not agreed to the commitment, whose term runs out soon, or
        who agreed to a text the circle has changed since."""
        return [
            member.membership
            for member in self.members
            if member.membership.is_active
            and (
                member.membership.commitment_is_due
                or member.membership.agreed_to_earlier_commitment
            )
        ]


def _absent_recently(circle: Circle) -> Q:
    """Whether the member missed each of the circle's last ABSENT_STREAK recorded dinners, all
    held on or after the day they joined (false while fewer were recorded)."""
    recent = recorded_dinners(circle.meetings.all())
    streak_started = recent.annotate(day=TruncDate("starts_at")).values("day")[
        ABSENT_STREAK - 1 : ABSENT_STREAK
    ]
    came = Attendance.objects.filter(
        person=OuterRef("person"), meeting__in=recent.values("pk")[:ABSENT_STREAK]
    )
    return Q(joined_on__lte=Subquery(streak_started)) & ~Q(Exists(came))


def dinners_held_in(meetings, year: int, now: datetime.datetime):
    """The dinners among the meetings held in `year` up to `now`: those a member can have
    attended in it. A dinner still ahead counts for nobody, even with attendance stored for it
    (added in the admin, or kept when a held dinner was moved)."""
    year_start, year_end = year_bounds(year)
    return dinners_counted(meetings).filter(
        starts_at__gte=year_start, starts_at__lt=min(year_end, now)
    )


def dinners_held_this_year(meetings, now: datetime.datetime):
    """The dinners among the meetings held in the calendar year of `now`, up to `now`."""
    return dinners_held_in(meetings, timezone.localdate(now).year, now)


def dinners_attended(held):
    """How many of the held dinners the person of each Membership attended (correlated to
    Membership). The circle page and member_attendance (the year report) both count with it,
    so that a member's dinners read the same on both."""
    return SubqueryCount(
        Attendance.objects.filter(person=OuterRef("person"), meeting__in=held.values("pk")).values(
            "pk"
        )
    )


def member_attendance(
    circle: Circle, now: datetime.datetime | None = None, *, year: int | None = None
) -> Commitment:
    """Per member of the circle at some time in `year` (default: this year), police first as
    on the circle page: those who joined on or before its end and had not left before its
    start, those who left during it included; one who left and came back in it is listed once.
    Each with the year's dinners attended against those held (by `now`) while they were a
    member, and whether an active member missed the last three recorded dinners. One query,
    whatever the number of members and dinners."""
    now = now or timezone.now()
    this_year = timezone.localdate(now).year
    year = year or this_year
    first_day, last_day = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    held = dinners_held_in(circle.meetings.all(), year, now)
    person = OuterRef(OuterRef("person"))
    memberships = (
        circle.memberships.filter(
            Q(left_on__isnull=True) | Q(left_on__gte=first_day), joined_on__lte=last_day
        )
        .select_related("person")
        .annotate(
            attended=dinners_attended(held),
            # While they were a member (in any of their memberships: one who came back has
            # one per period), or that they came to (attendance recorded outside those
            # dates): never fewer dinners held than attended. Counted per person, so that
            # each of their memberships has the same figure.
            held=SubqueryCount(
                held.annotate(day=TruncDate("starts_at"))
                .filter(
                    Exists(_active_on(circle.memberships.filter(person=person), OuterRef("day")))
                    | Exists(Attendance.objects.filter(meeting=OuterRef("pk"), person=person))
                )
                .values("pk")
            ),
            # Today's absences, of today's members: nothing to point out in another year.
            absent_recently=_boolean(Q(left_on__isnull=True) & _absent_recently(circle))
            if year == this_year
            else Value(False),
        )
        .by_sector()
    )
    # Grouped here, not in SQL: the marks need the dates of each period, which SQL would have
    # to aggregate into a string (differently on SQLite and PostgreSQL).
    periods = defaultdict(list)
    for membership in memberships:
        periods[membership.person_id].append(membership)
    for person_periods in periods.values():
        # The active membership last; ended ones by the day they ended.
        person_periods.sort(key=lambda m: (m.left_on or datetime.date.max, m.pk))
    # Their row where their latest membership stands in the order by sector.
    members = [
        MemberAttendance(
            periods=tuple(periods[membership.person_id]),
            attended=membership.attended,
            held=membership.held,
            absent_recently=bool(membership.absent_recently),
            year=year,
        )
        for membership in memberships
        if membership is periods[membership.person_id][-1]
    ]
    return Commitment(
        year=year, members=members, target=circle.target_in(year), current=year == this_year
    )

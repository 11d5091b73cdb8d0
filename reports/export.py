"""The year's report as CSV: a summary, then the meetings, the topics, the actions and the
members of the year, each block with its own header row and a blank line between them."""

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from circles.health import Commitment
from circles.models import Membership
from reports.charts import action_group_labels
from reports.figures import SECTOR_KEYS, YearReport, action_group, sector_labels

# A cell starting with one of these is a formula to a spreadsheet app: never from user input.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def write_report(writer, report: YearReport, commitment: Commitment | None = None) -> None:
    """The report's rows; with `commitment` (member_attendance of the year), a block of its
    members, those who left during it included."""
    today = timezone.localdate()
    sectors = sector_labels()
    groups = action_group_labels()
    rows = [
        [_("Circle"), report.circle.name],
        [_("Municipality"), report.circle.municipality],
        [_("Year"), report.year],
        [_("Target"), report.target],
        [_("Dinners held"), report.dinners_held],
        [_("Dinners planned"), report.dinners_planned],
        [_("Extra meetings held"), report.extras_held],
        [_("Attendances"), report.attended_total],
        [_("Actions agreed"), len(report.actions)],
        *([groups[key].capitalize(), n] for key, n in report.action_counts.items()),
        [],
        [
            _("Date"),
            _("Start"),
            _("Kind"),
            _("Status"),
            _("Venue"),
            _("Members at the time"),
            _("Attended"),
            *(sectors[key] for key in SECTOR_KEYS),
            _("Topics"),
        ],
    ]
    for row in report.meetings:
        meeting = row.meeting
        starts = timezone.localtime(meeting.starts_at)
        counts = [row.by_sector[key] for key in SECTOR_KEYS] if row.recorded else [""] * 4
        rows.append(
            [
                starts.date().isoformat(),
                starts.strftime("%H:%M"),
                meeting.get_kind_display(),
                meeting.get_status_display(),
                meeting.venue_name,
                row.members_then,
                row.attended if row.recorded else "",
                *counts,
                "; ".join(row.topics),
            ]
        )
    rows += [[], [_("Topic"), _("Times discussed")], *([name, n] for name, n in report.topics)]
    rows += [
        [],
        [
            pgettext("an action agreed at a meeting", "Action"),
            _("Agreed at"),
            _("Due date"),
            _("Status"),
            _("As of today"),
        ],
    ]
    for action in report.actions:
        agreed = timezone.localtime(action.meeting.starts_at).date() if action.meeting else None
        rows.append(
            [
                action.title,
                agreed.isoformat() if agreed else "",
                action.due_date.isoformat() if action.due_date else "",
                action.get_status_display(),
                groups[action_group(action, today)],
            ]
        )
    if commitment is not None:
        rows += [[], *_member_rows(commitment)]
    writer.writerows([cell(value) for value in row] for row in rows)


def _member_rows(commitment: Commitment) -> list[list]:
    """A header and a row per member of the year, as the report's table shows them: one who
    left and came back in the year has the day their first membership of the year began, and
    each time they were away in the year in the last column as an ISO 8601 interval, the day
    they left/the day they were back (added last, so that the columns before it stay where
    they were)."""

    def label(name):
        return capfirst(Membership._meta.get_field(name).verbose_name)

    rows = [
        [
            _("Member"),
            label("sector"),
            label("joined_on"),
            label("left_on"),
            _("Dinners attended"),
            _("Dinners held while a member"),
            _("Left and came back"),
        ]
    ]
    for row in commitment.members:
        rows.append(
            [
                str(row.person),
                row.membership.get_sector_display(),
                row.periods[0].joined_on.isoformat(),
                row.left_in_year.isoformat() if row.left_in_year else "",
                row.attended,
                row.held,
                "; ".join(f"{left.isoformat()}/{back.isoformat()}" for left, back in row.returns),
            ]
        )
    return rows

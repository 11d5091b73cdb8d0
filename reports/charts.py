"""Bar charts as server-rendered SVG (templates/reports/_chart.html): no chart library runs in
the browser. A chart is rows of horizontal bars, each bar made of one or more segments (a
stacked bar) drawn to one scale, the row's label above its bar so that it reads on a phone.

The numbers are the caller's; the page shows them in a table beside the chart, and the chart's
text alternative (<title> and <desc>) says them in words.
"""

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports.figures import ACTION_GROUPS, SECTOR_KEYS, YearReport, sector_labels

WIDTH = 400  # viewBox units; the SVG scales to the width of its column
LABEL_HEIGHT = 20  # text is 14 units (allies.css), so about 12 px on a phone
BAR_HEIGHT = 18
ROW_GAP = 10
VALUE_SPACE = 64  # room right of the longest bar for its number
LEGEND_ROW = 22
LEGEND_COLUMNS = 2  # "municipality" and "gemeente" need half the width


@dataclass(frozen=True)
class Series:
    key: str  # names the CSS class chart-<key> that gives the colour
    label: str


@dataclass(frozen=True)
class Segment:
    series: Series
    value: int
    x: float
    width: float


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    total: int
    value_text: str
    label_y: float
    bar_y: float
    value_x: float
    segments: tuple[Segment, ...]

    @property
    def value_y(self) -> float:
        return self.bar_y + BAR_HEIGHT - 4


@dataclass(frozen=True)
class LegendItem:
    series: Series
    x: float
    y: float

    @property
    def text_x(self) -> float:
        return round(self.x + 16, 2)

    @property
    def text_y(self) -> float:
        return round(self.y + 12, 2)


@dataclass
class Chart:
    id: str
    title: str
    description: str
    rows: list[Row]
    legend: list[LegendItem] = field(default_factory=list)
    width: int = WIDTH
    height: float = 0
    bar_height: int = BAR_HEIGHT


def bar_chart(
    chart_id: str,
    title: str,
    rows: list[tuple[str, str, dict[Series, int]]],
    *,
    value_text=None,
    describe=None,
    legend: bool | None = None,
) -> Chart:
    """A chart of `rows`: (key, label, {series: value}); one series gives plain bars, more give
    stacked bars with a legend (unless legend=False). value_text(key, total) is the number shown
    after a bar (default: the total); describe(key, label, values) the row's sentence in the text
    alternative (default "label: total")."""
    series = list(dict.fromkeys(s for _key, _label, values in rows for s in values))
    totals = [sum(values.values()) for _key, _label, values in rows]
    scale = (WIDTH - VALUE_SPACE) / max([*totals, 1])
    show_legend = len(series) > 1 if legend is None else legend
    legend_items = _legend(series) if show_legend else []
    top = (max(item.y for item in legend_items) + LEGEND_ROW) if legend_items else 0
    drawn = []
    for index, (key, label, values) in enumerate(rows):
        label_y = top + index * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP) + LABEL_HEIGHT - 4
        bar_y = label_y + 4
        x = 0.0
        segments = []
        for s, value in values.items():
            width = value * scale
            segments.append(Segment(series=s, value=value, x=round(x, 2), width=round(width, 2)))
            x += width
        total = totals[index]
        drawn.append(
            Row(
                key=key,
                label=label,
                total=total,
                value_text=value_text(key, total) if value_text else str(total),
                label_y=label_y,
                bar_y=bar_y,
                value_x=round(x + 6, 2),
                segments=tuple(segments),
            )
        )
    height = top + len(rows) * (LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP)
    sentences = [
        describe(key, label, values) if describe else f"{label}: {sum(values.values())}"
        for key, label, values in rows
    ]
    return Chart(
        id=chart_id,
        title=title,
        description=". ".join(sentences) + "." if sentences else "",
        rows=drawn,
        legend=legend_items,
        height=max(height, 1),
    )


def _legend(series: list[Series]) -> list[LegendItem]:
    step = WIDTH / LEGEND_COLUMNS
    return [
        LegendItem(
            series=s,
            x=round((i % LEGEND_COLUMNS) * step, 2),
            y=4 + (i // LEGEND_COLUMNS) * LEGEND_ROW,
        )
        for i, s in enumerate(series)
    ]


def year_charts(report: YearReport) -> dict[str, Chart]:
    """The four charts of the year's page, in the active language."""
    return {
        "dinners": _dinners_chart(report),
        "attendance": _attendance_chart(report),
        "topics": _topics_chart(report),
        "actions": _actions_chart(report),
    }


def _dinners_chart(report: YearReport) -> Chart:
    rows = [
        ("held", _("Dinners held"), {Series("held", _("held")): report.dinners_held}),
        (
            "planned",
            _("Dinners planned"),
            {Series("planned", _("planned")): report.dinners_planned},
        ),
        ("target", _("Target"), {Series("target", _("target")): report.target}),
        ("extra", _("Extra meetings"), {Series("extra", _("extra")): report.extras_held}),
    ]
    return bar_chart(
        "chart-dinners",
        _("Dinners in %(year)d against the target") % {"year": report.year},
        rows,
        legend=False,
    )


def meeting_label(meeting) -> str:
    day = date_format(localtime(meeting.starts_at), "SHORT_DATE_FORMAT")
    if meeting.kind == meeting.Kind.EXTRA:
        return _("%(date)s, extra meeting") % {"date": day}
    return day


def _attendance_chart(report: YearReport) -> Chart:
    labels = sector_labels()
    shown = [key for key in SECTOR_KEYS if key != "guest" or report.sector_totals["guest"]]
    series = {key: Series(key, labels[key]) for key in shown}
    rows = [
        (
            str(row.meeting.pk),
            meeting_label(row.meeting),
            {series[key]: row.by_sector[key] for key in shown},
        )
        for row in report.recorded
    ]
    then = {str(row.meeting.pk): row.members_then for row in report.recorded}

    def describe(key, label, values):
        parts = ", ".join(f"{value} {s.label}" for s, value in values.items())
        members = ngettext(
            "%(count)d member at the time", "%(count)d members at the time", then[key]
        ) % {"count": then[key]}
        return f"{label}: {parts} ({members})"

    return bar_chart(
        "chart-attendance",
        _("Attendance by sector per meeting in %(year)d") % {"year": report.year},
        rows,
        # After each bar: who came, of the members at the time.
        value_text=lambda key, total: f"{total}/{then[key]}",
        describe=describe,
    )


def _topics_chart(report: YearReport) -> Chart:
    series = Series("topic", _("times discussed"))
    rows = [(name, name, {series: count}) for name, count in report.topics]
    return bar_chart(
        "chart-topics", _("Topics discussed in %(year)d") % {"year": report.year}, rows
    )


def action_group_labels() -> dict[str, str]:
    return {
        "done": _("done"),
        "dropped": _("dropped"),
        "open": _("still open"),
        "overdue": _("overdue"),
    }


def _actions_chart(report: YearReport) -> Chart:
    labels = action_group_labels()
    rows = [
        (
            group,
            labels[group].capitalize(),
            {Series(group, labels[group]): report.action_counts[group]},
        )
        for group in ACTION_GROUPS
    ]
    agreed = len(report.actions)
    title = ngettext(
        "%(count)d action agreed in %(year)d, by its status today",
        "%(count)d actions agreed in %(year)d, by their status today",
        agreed,
    ) % {"count": agreed, "year": report.year}
    return bar_chart("chart-actions", title, rows, legend=False)

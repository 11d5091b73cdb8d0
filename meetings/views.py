"""Views of the meetings app; the permission helper for its object type comes first."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from actions.carried import carried_to
from allies import once
from circles.health import dinners_counted, year_bounds
from circles.models import (
    Circle,
    Membership,
    Weekday,
    has_left,
    members_of,
    members_with_sector,
)
from circles.views import _get_circle_for_user
from meetings import notify, services
from meetings.forms import (
    YEARS_AHEAD,
    ActionFormSet,
    AgendaFormSet,
    CancelForm,
    MeetingForm,
    PlanFormSet,
    RecordForm,
    ResponseForm,
    ReviewFormSet,
)
from meetings.models import Meeting, Response
from meetings.planner import MIN_GAP_DAYS, MIN_NOTICE_DAYS, propose_year

# How many years ahead the year planner looks; a single meeting may lie as far ahead.
PLAN_YEARS_AHEAD = YEARS_AHEAD
# Headings over the names on a meeting page: a list of others, not the answer one gives
# (in Dutch "Komen", where the answer itself is "Ik kom").
WHO_COMES = {
    Response.Answer.ATTENDING: pgettext_lazy("who comes", "Attending"),
    Response.Answer.NOT_ATTENDING: pgettext_lazy("who comes", "Not attending"),
    Response.Answer.MAYBE: pgettext_lazy("who comes", "Maybe"),
}
# What a one-click answer says once saved: the dashboard it returns to lists several meetings.
ANSWER_SAVED = {
    Response.Answer.ATTENDING: gettext_lazy("You're coming to %(meeting)s."),
    Response.Answer.NOT_ATTENDING: gettext_lazy("You can't come to %(meeting)s."),
    Response.Answer.MAYBE: gettext_lazy("You might come to %(meeting)s."),
}


def _get_meeting_for_user(request, meeting_id) -> tuple[Meeting, bool]:
    """The meeting and whether the user coordinates its circle; 404 for non-members."""
    mine = Membership.objects.active().filter(circle=OuterRef("circle"), person=request.user)
    meeting = get_object_or_404(
        Meeting.objects.with_host_left()
        .select_related("circle", "host")
        .filter(Exists(mine))
        .annotate(coordinates=Exists(mine.filter(is_coordinator=True))),
        pk=meeting_id,
    )
    return meeting, meeting.coordinates


def _refused(request, meeting: Meeting, message):
    """Back to the meeting's page, which says why the change was not made."""
    messages.error(request, message)
    return redirect("meetings:detail", meeting_id=meeting.pk)


@login_required
def plan_year(request, circle_id, year):
    """Propose the year's remaining dinners; the coordinator edits them and confirms."""
    circle, is_coordinator = _get_circle_for_user(request, circle_id)
    if not is_coordinator:
        raise PermissionDenied
    today = timezone.localdate()
    if not 2000 <= year <= today.year + PLAN_YEARS_AHEAD:
        raise Http404
    meetings = _year_meetings(circle, year)
    planned, taken = _dinner_days(meetings)
    target = circle.target_in(year)
    kwargs = {"members": members_of(circle.pk), "year": year, "taken": taken}
    if request.method == "POST":
        formset = PlanFormSet(request.POST, form_kwargs=kwargs)
        if formset.is_valid():
            made = services.meetings_plan_year(
                circle=circle, dinners=formset.dinners(circle.dinner_minutes)
            )
            messages.success(
                request,
                ngettext("%(count)d dinner planned.", "%(count)d dinners planned.", len(made))
                % {"count": len(made)},
            )
            return redirect("meetings:plan_year", circle_id=circle.pk, year=year)
    else:
        initial = _proposal(circle, year, target, today, planned, taken)
        formset = PlanFormSet(initial=initial, form_kwargs=kwargs)
    # Late in the year fewer dinners fit than are missing: the rest is for the next year.
    fewer_fit = request.method == "GET" and len(formset.forms) < target - len(planned)
    ctx = {
        "circle": circle,
        "year": year,
        "formset": formset,
        "meetings": meetings,
        "planned_count": len(planned),
        "target": target,
        "is_past": year < today.year,
        "is_this_year": year == today.year,
        "fewer_fit": fewer_fit,
        "notice_days": MIN_NOTICE_DAYS,
        "gap_days": MIN_GAP_DAYS,
        "weekday": Weekday(circle.preferred_weekday).label,
        "previous_year": year - 1,
        "next_year": year + 1 if year < today.year + PLAN_YEARS_AHEAD else None,
    }
    return render(request, "meetings/plan_year.html", ctx)


def _year_meetings(circle: Circle, year: int) -> list[Meeting]:
    start, end = year_bounds(year)
    meetings = circle.meetings.filter(starts_at__gte=start, starts_at__lt=end)
    return list(meetings.order_by("starts_at"))


def _dinner_days(meetings) -> tuple[list[datetime.date], set[datetime.date]]:
    """The days of the dinners that count towards the target (not cancelled), and the days
    that have any meeting at all."""
    planned = [
        timezone.localtime(m.starts_at).date()
        for m in meetings
        if m.kind == Meeting.Kind.DINNER and not m.is_cancelled
    ]
    return planned, {timezone.localtime(m.starts_at).date() for m in meetings}


def _proposal(circle: Circle, year: int, target: int, today, planned, taken) -> list[dict]:
    """The planner's dates as the initial rows of the form, with the circle's usual venue;
    spaced from the dinners just outside the year too."""
    before, after = _neighbours(circle, year)
    dates = propose_year(
        year=year,
        target=target,
        weekday=circle.preferred_weekday,
        today=today,
        planned=planned,
        taken=taken,
        before=before,
        after=after,
    )
    return [
        {
            "include": True,
            "date": day,
            "start_time": circle.preferred_time,
            "venue_name": circle.default_venue_name,
            "venue_address": circle.default_venue_address,
            "venue_kind": circle.default_venue_kind,
        }
        for day in dates
    ]


def _neighbours(circle: Circle, year: int) -> tuple[datetime.date | None, datetime.date | None]:
    """The days of the circle's last dinner before the year and of its first after it (None
    for none), in one query: late December keeps its distance from early January, and the
    other way round."""
    start, end = year_bounds(year)
    dinners = dinners_counted(circle.meetings.all()).values("starts_at")
    last_before = dinners.filter(starts_at__lt=start).order_by("-starts_at")[:1]
    first_after = dinners.filter(starts_at__gte=end).order_by("starts_at")[:1]
    moments = (
        Circle.objects.filter(pk=circle.pk)
        .values_list(Subquery(last_before), Subquery(first_after))
        .get()
    )
    return tuple(timezone.localdate(moment) if moment else None for moment in moments)


@login_required
def new(request, circle_id):
    """Schedule one meeting, prefilled with the circle's usual time and venue; or enter one
    that already took place, and go on to record it."""
    circle, is_coordinator = _get_circle_for_user(request, circle_id)
    if not is_coordinator:
        raise PermissionDenied
    form = MeetingForm(request.POST or None, circle=circle, members=members_of(circle.pk))
    if request.method == "GET" and request.GET.get("kind") in Meeting.Kind.values:
        form.initial["kind"] = request.GET["kind"]  # "Call an extra meeting" links here
    if request.method == "POST" and form.is_valid():

        def schedule():
            meeting = services.meeting_schedule(circle=circle, **form.changes())
            if meeting.starts_at <= timezone.now():  # entered to record it: nobody was invited
                added = _(
                    "Meeting of %(when)s added. You can now record who came, the minutes and "
                    "the actions."
                )
                when = date_format(timezone.localtime(meeting.starts_at), "DATETIME_FORMAT")
                messages.success(request, added % {"when": when})
                return redirect("meetings:record", meeting_id=meeting.pk)
            # Its page says when and where; this, who heard of it.
            if invited := notify.members_emailed(notify.MEMBERS_INVITED, circle):
                messages.success(request, invited)
            return redirect("meetings:detail", meeting_id=meeting.pk)

        return once.submit(request, form, schedule)
    ctx = {"circle": circle, "form": form}
    return render(request, "meetings/new.html", ctx)


@login_required
def edit(request, meeting_id):
    """Change the meeting and its agenda; a change of time, venue or status is a new version."""
    meeting, is_coordinator = _get_meeting_for_user(request, meeting_id)
    if not is_coordinator:
        raise PermissionDenied
    if meeting.is_cancelled:
        return _refused(
            request, meeting, _("This meeting is cancelled; it can no longer be changed.")
        )
    data = request.POST if request.method == "POST" else None
    # The host stays a choice after leaving the circle, so that saving keeps them; the choice
    # says they left.
    host = Meeting.objects.filter(pk=meeting.pk, host__isnull=False).values("host")
    members = members_of(meeting.circle_id, also=host).annotate(
        has_left=has_left(meeting.circle_id)
    )
    form = MeetingForm(data, circle=meeting.circle, members=members, meeting=meeting)
    agenda = AgendaFormSet(data, instance=meeting, prefix="agenda")
    if data is not None and form.is_valid() and agenda.is_valid():
        try:
            services.meeting_update(
                meeting=meeting, changes=form.changes(), agenda=agenda, by=request.user
            )
        except services.MeetingStateError as error:  # cancelled or recorded since it was read
            return _refused(request, meeting, str(error))
        messages.success(request, _("The meeting is saved."))
        return redirect("meetings:detail", meeting_id=meeting.pk)
    ctx = {"meeting": meeting, "form": form, "agenda": agenda}
    return render(request, "meetings/edit.html", ctx)


@login_required
def cancel(request, meeting_id):
    """Ask for confirmation (GET), then cancel (POST): a status, never a delete."""
    meeting, is_coordinator = _get_meeting_for_user(request, meeting_id)
    if not is_coordinator:
        raise PermissionDenied
    held = _("This meeting has been held; it cannot be cancelled.")
    already = _("This meeting was already cancelled.")
    if meeting.status == Meeting.Status.HELD:
        return _refused(request, meeting, held)
    if meeting.is_cancelled:
        messages.info(request, already)
        return redirect("meetings:detail", meeting_id=meeting.pk)
    form = CancelForm(request.POST if request.method == "POST" else None, meeting=meeting)
    if form.is_valid():
        try:
            cancelled = services.meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"])
        except services.MeetingStateError:  # recorded since it was read above
            return _refused(request, meeting, held)
        # The page says that it is cancelled; this says who heard of it. Of a meeting gone by
        # nobody did (services.meeting_cancel), and the page says all there is.
        ahead = meeting.starts_at > timezone.now()
        if not cancelled:  # someone else cancelled it since it was read above
            messages.info(request, already)
        elif ahead and (told := notify.members_emailed(notify.MEMBERS_TOLD, meeting.circle)):
            messages.success(request, told)
        return redirect("meetings:detail", meeting_id=meeting.pk)
    ctx = {"meeting": meeting, "form": form}
    return render(request, "meetings/cancel.html", ctx)


@login_required
def detail(request, meeting_id):
    """When, where, the agenda, who comes, my answer; for coordinators the catering summary
    and the members' notes; once held the attendance, minutes and actions. Of a meeting
    entered after it started, to record it, only that it waits to be recorded."""
    meeting, is_coordinator = _get_meeting_for_user(request, meeting_id)
    is_held = meeting.status == Meeting.Status.HELD
    # Once held, the attendance tells who came; cancelled, nobody does: the answers are past.
    # Entered once it had started, nobody was ever asked: it waits to be recorded.
    to_record = meeting.entered_afterwards and not (is_held or meeting.is_cancelled)
    shows_answers = not (is_held or meeting.is_cancelled or to_record)
    responses = list(meeting.responses.select_related("person")) if shows_answers else []
    mine = next((r for r in responses if r.person_id == request.user.pk), None)
    by_answer = {answer: [] for answer in Response.Answer}
    for response in responses:
        by_answer[response.answer].append(response)
    ctx = {
        "meeting": meeting,
        "is_coordinator": is_coordinator,
        "agenda_items": meeting.agenda_items.select_related("topic"),
        # On its agenda ahead; once held, the actions reviewed there, as they are now.
        "carried_actions": carried_to(meeting),
        "by_answer": [(WHO_COMES[answer], rs) for answer, rs in by_answer.items()],
        "mine": mine,
        "may_answer": meeting.is_open_for_answers,
        "may_record": not meeting.is_cancelled and meeting.starts_at <= timezone.now(),
        "is_held": is_held,
        "shows_answers": shows_answers,
        "to_record": to_record,
    }
    if is_coordinator and shows_answers:
        ctx["attending"] = by_answer[Response.Answer.ATTENDING]
        maybe = by_answer[Response.Answer.MAYBE]
        # Whoever orders the food plans for the maybes too.
        ctx["dietary"] = [r for r in ctx["attending"] + maybe if r.dietary_needs]
        ctx["maybe_count"] = len(maybe)
        ctx["notes"] = [r for r in responses if r.note]
        answered = [r.person_id for r in responses]
        ctx["unanswered"] = members_of(meeting.circle_id).exclude(pk__in=answered)
    if ctx["is_held"]:
        ctx["attendees"] = meeting.attendees.annotate(has_left=has_left(meeting.circle_id))
        ctx["agreed_actions"] = meeting.actions.with_owners(meeting.circle_id)
    return render(request, "meetings/detail.html", ctx)


@login_required
def respond(request, meeting_id):
    """My answer: attending, not attending or maybe, with dietary needs and a note."""
    meeting, _is_coordinator = _get_meeting_for_user(request, meeting_id)
    if not meeting.is_open_for_answers:
        return _refused(request, meeting, _("This meeting no longer takes answers."))
    mine = meeting.responses.filter(person=request.user).first()
    initial = {"dietary_needs": request.user.dietary_needs} if mine is None else {}
    data = None
    if request.method == "POST":
        # The one-click answers on the dashboard send only the answer: keep the rest, or take
        # the profile's dietary needs for a first answer (Response.first_dietary_needs).
        data = request.POST.copy()
        needs = Response.first_dietary_needs(request.user, data.get("answer"))
        first = {"dietary_needs": needs, "note": ""}
        for name in ("dietary_needs", "note"):
            data.setdefault(name, getattr(mine, name, first[name]))
    form = ResponseForm(data, instance=mine, initial=initial)
    if data is not None and form.is_valid():
        saved = services.meeting_respond(meeting=meeting, person=request.user, **form.cleaned_data)
        messages.success(request, _answer_saved(request, meeting, earlier=mine, saved=saved))
        return redirect(_next_url(request) or meeting_url(meeting))
    ctx = {"meeting": meeting, "form": form, "next": _next_url(request)}
    return render(request, "meetings/respond.html", ctx)


def _answer_saved(request, meeting: Meeting, *, earlier, saved: Response) -> str:
    """What the member reads once the answer is saved. A one-click answer names the meeting,
    and says so when it took the dietary needs from the profile, which the member did not see."""
    if {"dietary_needs", "note"} & request.POST.keys():
        return _("Your answer is saved.")  # the form, which shows the meeting and the needs
    text = ANSWER_SAVED[saved.answer] % {"meeting": meeting.reference("l j F Y")}
    if earlier is None and saved.dietary_needs:
        text += " " + _("Your answer includes the dietary needs from your profile.")
    return text


def meeting_url(meeting: Meeting) -> str:
    return reverse("meetings:detail", kwargs={"meeting_id": meeting.pk})


def _next_url(request) -> str | None:
    url = request.POST.get("next") or request.GET.get("next")
    safe = url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if safe else None


@login_required
def record(request, meeting_id):
    """After the meeting started: who attended, the minutes, the actions agreed, and what
    became of those carried to it; one save."""
    meeting, is_coordinator = _get_meeting_for_user(request, meeting_id)
    if not is_coordinator:
        raise PermissionDenied
    if meeting.is_cancelled:
        return _refused(request, meeting, _("A cancelled meeting cannot be recorded."))
    if meeting.starts_at > timezone.now():
        return _refused(request, meeting, _("A meeting can be recorded once it has started."))
    if meeting.recorded_at is None:
        ticked = meeting.responses.filter(answer=Response.Answer.ATTENDING)
    else:
        ticked = meeting.attendances.all()
    # Someone who attended and left the circle since stays in the list when re-recording,
    # marked as having left.
    members = members_with_sector(
        meeting.circle_id, also=meeting.attendances.values("person_id")
    ).annotate(has_left=has_left(meeting.circle_id))
    data = request.POST if request.method == "POST" else None
    initial = {"attendees": list(ticked.values_list("person_id", flat=True))}
    form = RecordForm(data, members=members, initial={**initial, "minutes": meeting.minutes})
    row_kwargs = {"members": members_with_sector(meeting.circle_id), "meeting": meeting}
    actions = ActionFormSet(data, prefix="actions", form_kwargs=row_kwargs)
    reviews = ReviewFormSet(data, prefix="carried", actions=carried_to(meeting))
    if data is not None and form.is_valid() and actions.is_valid() and reviews.is_valid():

        def save():
            services.meeting_record(
                meeting=meeting,
                by=request.user,
                attendees=form.cleaned_data["attendees"],
                minutes=form.cleaned_data["minutes"],
                actions=actions.rows(),
                reviews=reviews.reviews(),
            )
            messages.success(request, _("The meeting is recorded."))
            return redirect("meetings:detail", meeting_id=meeting.pk)

        # Sent twice, the agreed actions would be added twice.
        try:
            return once.submit(request, form, save)
        except services.MeetingStateError as refusal:  # cancelled since it was read above
            return _refused(request, meeting, str(refusal))
    agreed = meeting.actions.with_owners(meeting.circle_id)
    ctx = {"meeting": meeting, "form": form, "actions": actions, "agreed_actions": agreed}
    return render(request, "meetings/record.html", {**ctx, "reviews": reviews})

"""Date polls: the coordinator offers dates, members answer, the coordinator picks one.
The permission helpers for the object types come first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from allies import once
from allies.converters import MAX_ID
from allies.models import User
from circles.models import Membership
from circles.views import _get_circle_for_user
from meetings import notify
from meetings.models import Meeting
from polls import services
from polls.forms import AnswerForm, PollForm
from polls.models import Poll, PollAnswer, PollOption

PAGE_SIZE = 25


def _get_poll_for_user(request, poll_id) -> tuple[Poll, bool]:
    """The poll and whether the user coordinates its circle; 404 for non-members."""
    mine = Membership.objects.active().filter(circle=OuterRef("circle"), person=request.user)
    poll = get_object_or_404(
        Poll.objects.select_related("circle", "chosen", "meeting")
        .filter(Exists(mine))
        .annotate(coordinates=Exists(mine.filter(is_coordinator=True))),
        pk=poll_id,
    )
    return poll, poll.coordinates


@login_required
def index(request, circle_id):
    """The circle's date polls, open ones first."""
    circle, is_coordinator = _get_circle_for_user(request, circle_id)
    polls = (
        circle.polls.select_related("chosen")
        .annotate(
            option_count=Count("options", distinct=True),
            answered=Count("options__answers__person", distinct=True),
        )
        # Open polls (not closed yet) first, then the most recently closed.
        .order_by(F("closed_at").desc(nulls_first=True), "-created_at", "-pk")
    )
    page = Paginator(polls, PAGE_SIZE).get_page(request.GET.get("page"))
    ctx = {"circle": circle, "is_coordinator": is_coordinator, "page": page}
    return render(request, "polls/index.html", ctx)


@login_required
def new(request, circle_id):
    """Offer two to ten dates for the next meeting."""
    circle, is_coordinator = _get_circle_for_user(request, circle_id)
    if not is_coordinator:
        raise PermissionDenied
    form = PollForm(request.POST or None, circle=circle)
    if request.method == "GET" and request.GET.get("kind") in Meeting.Kind.values:
        form.initial["kind"] = request.GET["kind"]  # a cancelled meeting's page links here
    if request.method == "POST" and form.is_valid():

        def open_poll():
            data = form.cleaned_data
            poll = services.poll_open(
                circle=circle,
                created_by=request.user,
                candidates=data["candidates"],
                **{name: data[name] for name in PollForm.Meta.fields},
            )
            text = _("The poll is open; the members have been asked to answer.")
            messages.success(request, text)
            return redirect("polls:detail", poll_id=poll.pk)

        return once.submit(request, form, open_poll)
    return render(request, "polls/new.html", {"circle": circle, "form": form})


def _tally(poll: Poll):
    """The candidate dates with their counts and who can come (yes or if need be), in two
    queries."""
    answers = PollAnswer.objects.select_related("person").order_by("person__name")
    options = list(
        poll.options.annotate(
            **{
                answer: Count("answers", filter=Q(answers__answer=answer))
                for answer in PollAnswer.Answer.values
            }
        ).prefetch_related(Prefetch("answers", queryset=answers))
    )
    for option in options:
        option.willing = [a for a in option.answers.all() if a.answer != PollAnswer.Answer.NO]
    return options


def _best(options) -> PollOption | None:
    """The date most can come to: most yes or if-need-be, then most yes; none if nobody can."""
    ahead = [o for o in options if not o.has_passed and o.yes + o.if_need_be]
    return max(ahead, key=lambda o: (o.yes + o.if_need_be, o.yes), default=None)


def _members(poll: Poll):
    """The members the poll asks: the circle's members now, while it is open; once closed,
    those who were members the day it closed. Who joined later was never asked, and who left
    since had their say: neither changes a closed poll's count."""
    memberships = Membership.objects.filter(circle=poll.circle_id)
    if poll.is_open:
        memberships = memberships.active()
    else:
        day = timezone.localdate(poll.closed_at)
        memberships = memberships.filter(
            Q(left_on__isnull=True) | Q(left_on__gt=day), joined_on__lte=day
        )
    return User.objects.filter(pk__in=memberships.values("person"))


def _who_answered(poll: Poll, options) -> dict:
    """How many members the poll asks, how many of them answered and who did not, from
    _tally's options. An answer of someone who left while it was open does not count."""
    members = list(_members(poll))
    answered = {answer.person_id for option in options for answer in option.answers.all()}
    return {
        "member_count": len(members),
        "answered_count": sum(person.pk in answered for person in members),
        "not_answered": [person for person in members if person.pk not in answered],
    }


def _detail(request, poll, is_coordinator, form=None, status=200):
    options = _tally(poll)
    mine = {
        option.pk: answer.answer
        for option in options
        for answer in option.answers.all()
        if answer.person_id == request.user.pk
    }
    # None can be picked nor answered: the coordinator is asked to close it.
    dates_passed = all(option.has_passed for option in options)
    if form is None and poll.is_open and not dates_passed:
        form = AnswerForm(options=options, mine=mine)
    ctx = {
        "poll": poll,
        "circle": poll.circle,
        "is_coordinator": is_coordinator,
        "options": options,
        "best": _best(options),
        "dates_passed": dates_passed,
        "form": form,
        "has_answered": bool(mine),
        **_who_answered(poll, options),
    }
    if not (is_coordinator and poll.is_open):
        ctx["not_answered"] = None  # who has not answered is for the coordinator to chase
    return render(request, "polls/detail.html", ctx, status=status)


@login_required
def detail(request, poll_id):
    """The dates, the tally, my answers; for the coordinator, picking the date."""
    poll, is_coordinator = _get_poll_for_user(request, poll_id)
    return _detail(request, poll, is_coordinator)


@login_required
@require_POST
def answer(request, poll_id):
    """Yes, if need be or no for each date; changeable until the poll closes."""
    poll, is_coordinator = _get_poll_for_user(request, poll_id)
    if not poll.is_open:
        messages.error(request, _("This poll is closed; answers can no longer change."))
        return redirect("polls:detail", poll_id=poll.pk)
    options = list(poll.options.all())
    if all(option.has_passed for option in options):
        messages.error(
            request, _("Every date of this poll has passed; answers can no longer change.")
        )
        return redirect("polls:detail", poll_id=poll.pk)
    form = AnswerForm(request.POST, options=options)
    if not form.is_valid():
        return _detail(request, poll, is_coordinator, form=form)
    try:
        services.poll_answer(poll=poll, person=request.user, answers=form.answers())
    except services.PollClosedError:
        messages.error(request, _("This poll is closed; answers can no longer change."))
    else:
        messages.success(request, _("Your answers are saved."))
    return redirect("polls:detail", poll_id=poll.pk)


def _option(options, chosen: str) -> PollOption | None:
    """The option with this id among `options`, if its date has not passed."""
    # Only a plain number that fits an id column is compared; anything else picks nothing.
    if not (chosen.isascii() and chosen.isdigit() and int(chosen) <= MAX_ID):
        return None
    return next((o for o in options if o.pk == int(chosen) and not o.has_passed), None)


def _already_closed(request, poll: Poll):
    messages.error(request, _("This poll is already closed."))
    return redirect("polls:detail", poll_id=poll.pk)


@login_required
def pick(request, poll_id):
    """Ask for confirmation (GET), then pick the date (POST): it becomes the meeting and the
    members are invited. Without a date to confirm, GET lists those that can be picked."""
    poll, is_coordinator = _get_poll_for_user(request, poll_id)
    if not is_coordinator:
        raise PermissionDenied
    if not poll.is_open:
        return _already_closed(request, poll)
    if request.method == "POST":
        return _pick(request, poll, _option(poll.options.all(), request.POST.get("option", "")))
    options = _tally(poll)
    option = _option(options, request.GET.get("option", ""))
    if option is None and "option" in request.GET:
        messages.error(request, _("Pick one of the poll's dates that has not passed."))
    ctx = {
        "poll": poll,
        "circle": poll.circle,
        "option": option,
        "pickable": [o for o in options if not o.has_passed],
        **_who_answered(poll, options),
        "invited_count": notify.recipients(poll.circle).count(),
    }
    return render(request, "polls/pick.html", ctx)


def _pick(request, poll: Poll, option: PollOption | None):
    if option is None:
        messages.error(request, _("Pick one of the poll's dates that has not passed."))
        return redirect("polls:detail", poll_id=poll.pk)
    try:
        meeting = services.poll_pick(poll=poll, option=option)
    except services.PollClosedError:
        return _already_closed(request, poll)
    # The poll's page says which date is picked and links to the meeting; this, who heard of it.
    if invited := notify.members_emailed(notify.MEMBERS_INVITED, meeting.circle):
        messages.success(request, invited)
    return redirect("polls:detail", poll_id=poll.pk)


@login_required
def close(request, poll_id):
    """Ask for confirmation (GET), then close the poll without a date (POST); the members are
    told by email."""
    poll, is_coordinator = _get_poll_for_user(request, poll_id)
    if not is_coordinator:
        raise PermissionDenied
    if not poll.is_open:
        return _already_closed(request, poll)
    if request.method == "POST":
        try:
            services.poll_close(poll=poll)
        except services.PollClosedError:
            return _already_closed(request, poll)
        # The poll's page says that it closed without a date; this, who heard of it.
        if told := notify.members_emailed(notify.MEMBERS_TOLD, poll.circle):
            messages.success(request, told)
        return redirect("polls:detail", poll_id=poll.pk)
    ctx = {
        "poll": poll,
        "circle": poll.circle,
        "invited_count": notify.recipients(poll.circle).count(),
    }
    return render(request, "polls/close.html", ctx)

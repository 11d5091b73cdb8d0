"""Views of the circles app; the permission helper for its object type comes first."""

import vobject
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from allies.models import User
from circles import services
from circles.departures import left_behind
from circles.forms import CircleForm, InviteForm, MembershipForm
from circles.getting_started import getting_started
from circles.health import (
    dinners_attended,
    dinners_held_this_year,
    health_for_circles,
    member_attendance,
)
from circles.models import Circle, Invitation, Membership

PAGE_SIZE = 25
# The extra tag of a message about my commitment: the circle page shows it in the commitment's
# card (circles/detail.html), and base.html not at the top.
COMMITMENT_MESSAGE = "commitment"


def _get_membership_for_user(request, circle_id) -> Membership:
    """The user's active membership of the circle (circle selected); 404 for non-members."""
    membership = (
        Membership.objects.active()
        .select_related("circle")
        .filter(circle_id=circle_id, person=request.user)
        .first()
    )
    if membership is None:
        raise Http404
    return membership


def _get_circle_for_user(request, circle_id) -> tuple[Circle, bool]:
    """The circle and whether the user coordinates it; 404 for non-members (incl. ended)."""
    membership = _get_membership_for_user(request, circle_id)
    return membership.circle, membership.is_coordinator


def _get_coordinated_circle(request, circle_id) -> Circle:
    """The circle, for a coordinator: 404 for non-members, 403 for other members."""
    circle, is_coordinator = _get_circle_for_user(request, circle_id)
    if not is_coordinator:
        raise PermissionDenied
    return circle


def _shared_phone(person: User):
    """The person's phone number if they agreed to share it with fellow members, else None.
    Every page and file that shows a member's number goes through here."""
    return person.phone if person.shares_phone else None


@login_required
def index(request):
    """My circles, each with its next meeting and what my commitment asks of me."""
    memberships = Membership.objects.of_person(request.user)
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    left = not page.object_list and request.user.memberships.exists()
    return render(request, "circles/index.html", {"page": page, "left_every_circle": left})


def _members_with_attendance(circle: Circle, now):
    """The circle's active members by sector, each with this year's dinners attended: those
    held by `now`, counted as the year report counts them (circles.health)."""
    held = dinners_held_this_year(circle.meetings.all(), now)
    return (
        circle.memberships.active()
        .select_related("person")
        .annotate(dinners_attended=dinners_attended(held))
        .by_sector()
    )


def _counted_page(rows, count: int, request, param: str):
    """The page of `rows` that the request asks for in `param`, of `count` rows: the health
    figures count the active members and the open actions already, and the paginator does
    not count them again."""
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = count
    return paginator.get_page(request.GET.get(param))


@login_required
def detail(request, circle_id):
    """The circle page: next dinner, commitment, members by sector, open actions."""
    me = _get_membership_for_user(request, circle_id)
    circle = me.circle
    now = timezone.now()
    health = health_for_circles([circle], now)[circle.pk]
    members = _counted_page(
        _members_with_attendance(circle, now), health.member_count, request, "members_page"
    )
    for membership in members:
        membership.shared_phone = _shared_phone(membership.person)
    actions = circle.actions.unfinished().with_owners(circle.pk).by_due_date()
    # A poll whose dates have all passed asks nobody any more: its coordinators are to close it.
    polls = list(circle.polls.open().with_passed(now))
    ctx = {
        "circle": circle,
        "me": me,
        "is_coordinator": me.is_coordinator,
        "next_meeting": circle.meetings.upcoming().order_by("starts_at").first(),
        "members": members,
        "actions": _counted_page(actions, health.open_actions, request, "actions_page"),
        "health": health,
        "commitment": member_attendance(circle, now) if me.is_coordinator else None,
        "open_polls": [poll for poll in polls if not poll.passed],
        "polls_to_close": [poll for poll in polls if poll.passed] if me.is_coordinator else [],
        "year": health.year,
        "getting_started": getting_started(health, me),
        "departures": left_behind([circle], now) if me.is_coordinator else [],
    }
    return render(request, "circles/detail.html", ctx)


@login_required
def contacts(request, circle_id):
    """A vCard file of the circle's members who agreed to share their phone number."""
    circle, _is_coordinator = _get_circle_for_user(request, circle_id)
    cards = []
    for membership in circle.memberships.active().select_related("person").by_sector():
        person = membership.person
        phone = _shared_phone(person)
        if phone is None:
            continue
        card = vobject.vCard()
        card.add("fn").value = str(person)
        # One name field: the whole name as given name reads right in every address book.
        card.add("n").value = vobject.vcard.Name(given=str(person))
        tel = card.add("tel")
        tel.value = phone.as_e164
        tel.type_param = "CELL"
        if person.organisation:
            card.add("org").value = [person.organisation]
        card.add("categories").value = [circle.name]
        cards.append(card.serialize())
    response = HttpResponse("".join(cards), content_type="text/vcard; charset=utf-8")
    filename = f"{slugify(circle.name) or 'circle'}-contacts.vcf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def edit(request, circle_id):
    """The circle's settings, for its coordinators."""
    circle = _get_coordinated_circle(request, circle_id)
    form = CircleForm(request.POST or None, instance=circle)
    if request.method == "POST" and form.is_valid():
        told = services.circle_update(circle=form.save(commit=False), by=request.user)
        messages.success(request, _("The circle's settings are saved."))
        if told:
            message = ngettext(
                "The member who had agreed to the earlier commitment gets an email asking them "
                "to read it and commit again.",
                "The %(count)d members who had agreed to the earlier commitment get an email "
                "asking them to read it and commit again.",
                told,
            )
            messages.info(request, message % {"count": told})
        return redirect("circles:detail", circle_id=circle.pk)
    return render(request, "circles/edit.html", {"circle": circle, "form": form})


@login_required
@require_POST
def commit(request, circle_id):
    """I agree to the circle's commitment, to the text I was shown: for one term, from the end
    of the one I renew if it still runs (Membership.term_ends_if_committed)."""
    me = _get_membership_for_user(request, circle_id)
    # Told in the commitment's card, where the page opens: on a phone it is far below the top.
    back = reverse("circles:detail", args=[me.circle_id]) + "#commitment"
    if request.POST.get("commitment") != me.circle.commitment_fingerprint:
        changed = _(
            "The circle's commitment was changed while you read it. Read it again, then commit."
        )
        messages.warning(request, changed, extra_tags=COMMITMENT_MESSAGE)
        return redirect(back)
    me.commit()
    # The card the member lands on says until when it runs.
    thanks = _("Thank you for your commitment.")
    messages.success(request, thanks, extra_tags=COMMITMENT_MESSAGE)
    return redirect(back)


@login_required
def invite(request, circle_id):
    """Invite a person by email: a new one gets an account and an email to choose a password,
    someone with an account an email asking them to join."""
    circle = _get_coordinated_circle(request, circle_id)
    form = InviteForm(request.POST or None, circle=circle)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_invite(
                circle=circle,
                **form.cleaned_data,
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            text = _("An invitation is on its way to %(email)s.")
            messages.success(request, text % {"email": form.cleaned_data["email"]})
            return redirect("circles:detail", circle_id=circle.pk)
    open_invitations = circle.invitations.filter(answered_at__isnull=True)
    ctx = {"circle": circle, "form": form, "open_invitations": open_invitations}
    return render(request, "circles/invite.html", ctx)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation(request, invitation_id):
    """Join a circle one was invited to, or say no thanks; the invited person only (404 for
    anyone else)."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("circle", "invited_by"),
        pk=invitation_id,
        person=request.user,
    )
    answered = _("You already answered this invitation.")
    # After a "no thanks", the person may still join while it holds the coordinators back.
    if invitation.answered_at is not None and not invitation.may_join_after_all():
        messages.info(request, answered)
        return redirect("dashboard")
    answer = request.POST.get("answer")
    if request.method == "POST" and answer in ("join", "decline"):
        accept = answer == "join"
        try:
            services.invitation_answer(invitation=invitation, accept=accept)
        except services.InvitationAnsweredError:
            messages.info(request, answered)
            return redirect("dashboard")
        if not accept:
            text = _(
                "You said no thanks to %(circle)s. Its coordinators cannot ask you again for "
                "%(days)s days."
            )
            messages.info(
                request,
                text % {"circle": invitation.circle.name, "days": Invitation.DECLINED_PAUSE.days},
            )
            return redirect("dashboard")
        messages.success(request, _("Welcome to %(circle)s.") % {"circle": invitation.circle.name})
        return redirect("circles:detail", circle_id=invitation.circle_id)
    return render(request, "circles/invitation.html", {"invitation": invitation})


def _get_membership_of(circle: Circle, membership_id) -> Membership:
    return get_object_or_404(circle.memberships.active().select_related("person"), pk=membership_id)


@login_required
def membership_edit(request, circle_id, membership_id):
    """A member's sector and coordinator role, for the circle's coordinators."""
    circle = _get_coordinated_circle(request, circle_id)
    membership = _get_membership_of(circle, membership_id)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            told = services.membership_update(
                membership=membership, **form.cleaned_data, by=request.user
            )
        except ValidationError as error:
            form.add_error("is_coordinator", error)
        else:
            text = _("The membership of %(name)s is saved.") % {"name": membership.person}
            messages.success(request, text)
            if told:
                text = _("%(name)s gets an email saying what a coordinator does.")
                messages.info(request, text % {"name": membership.person})
            return redirect("circles:detail", circle_id=circle.pk)
    mine = membership.person_id == request.user.pk  # the page speaks to them: "you leave"
    ctx = {"circle": circle, "membership": membership, "form": form, "mine": mine}
    return render(request, "circles/membership_edit.html", ctx)


@login_required
@require_POST
def membership_end(request, circle_id, membership_id):
    """End a membership: the person leaves the circle, the history stays. A coordinator who
    ends their own goes to the dashboard: the circle's page is no longer theirs to see."""
    circle = _get_coordinated_circle(request, circle_id)
    membership = _get_membership_of(circle, membership_id)
    try:
        services.membership_end(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("circles:membership_edit", circle_id=circle.pk, membership_id=membership.pk)
    if membership.person_id == request.user.pk:
        messages.success(request, _("You have left %(circle)s.") % {"circle": circle.name})
        return redirect("dashboard")
    messages.success(request, _("%(name)s has left the circle.") % {"name": membership.person})
    return redirect("circles:detail", circle_id=circle.pk)

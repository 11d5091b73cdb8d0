"""Views of the actions app; the permission helper for its object type comes first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions.forms import ActionEditForm, ActionFilterForm, ActionUpdateForm
from actions.models import Action
from actions.services import action_add_update, action_edit
from allies import once
from allies.models import User
from circles.models import Circle, Membership, has_left, members_with_sector


def _get_action_for_user(request, action_id) -> tuple[Action, bool]:
    """The action and whether the user may change it (an owner, or a coordinator of its
    circle; action.coordinates says which of the two may also correct it); 404 for anyone
    who is not a member of the action's circle."""
    mine = Membership.objects.active().filter(circle=OuterRef("circle"), person=request.user)
    owns = Action.owners.through.objects.filter(action=OuterRef("pk"), user=request.user)
    action = get_object_or_404(
        Action.objects.select_related("circle", "meeting")
        .filter(Exists(mine))
        .annotate(coordinates=Exists(mine.filter(is_coordinator=True)), owns=Exists(owns)),
        pk=action_id,
    )
    return action, action.coordinates or action.owns


def _other_owners(person):
    """The owners besides `person`, as `others`: whom they share the action with, each with
    `has_left`, whether they are no longer a member of that action's circle."""
    # Actions of several circles: each owner's own action's circle, through the owners' table
    # the prefetch reads them by (its filter reuses the joins its queryset has made already).
    left = has_left(OuterRef("owned_actions__circle"))
    owners = User.objects.only("pk", "name", "username").exclude(pk=person.pk)
    return Prefetch("owners", queryset=owners.annotate(has_left=left), to_attr="others")


@login_required
def index(request):
    """My actions (I am an owner, in circles I am still in): overdue first, then open."""
    circles = Circle.objects.for_user(request.user)
    form = ActionFilterForm(request.GET or None, circles=circles)
    actions = request.user.owned_actions.filter(circle__in=circles)
    if form.is_valid():
        if form.cleaned_data["status"]:
            actions = actions.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["circle"]:
            actions = actions.filter(circle=form.cleaned_data["circle"])
    rank = Case(
        When(status__in=Action.OPEN_STATUSES, due_date__lt=timezone.localdate(), then=Value(0)),
        When(status__in=Action.OPEN_STATUSES, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    actions = (
        actions.select_related("circle", "meeting")
        .prefetch_related(_other_owners(request.user))
        .order_by(rank, F("due_date").asc(nulls_last=True), "pk")
    )
    page = Paginator(actions, 25).get_page(request.GET.get("page"))
    ctx = {"form": form, "page": page, "actions": page.object_list}
    return render(request, "actions/index.html", ctx)


@login_required
def detail(request, action_id):
    """The action and its dated updates; owners and coordinators get the update form."""
    action, may_change = _get_action_for_user(request, action_id)
    form = ActionUpdateForm(action=action) if may_change else None
    return render(request, "actions/detail.html", _detail_ctx(action, may_change, form))


def _detail_ctx(action: Action, may_change: bool, form) -> dict:
    return {
        "action": action,
        "owners": action.owners.annotate(has_left=has_left(action.circle_id)),
        "updates": action.updates.select_related("author")
        .annotate(author_has_left=has_left(action.circle_id, person="author"))
        .prefetch_related("owners_added", "owners_removed")
        .order_by("created_at", "pk"),
        "may_change": may_change,
        "may_edit": action.coordinates,
        "form": form,
    }


@login_required
@require_POST
def update(request, action_id):
    """Add an update, with or without a new status; only owners and coordinators."""
    action, may_change = _get_action_for_user(request, action_id)
    if not may_change:
        raise PermissionDenied
    form = ActionUpdateForm(request.POST, action=action)
    if not form.is_valid():
        return render(request, "actions/detail.html", _detail_ctx(action, may_change, form))

    def add():
        action_add_update(
            action=action,
            author=request.user,
            text=form.cleaned_data["text"].strip(),
            new_status=form.cleaned_data["new_status"],
            new_due_date=form.cleaned_data["new_due_date"],
        )
        messages.success(request, _("Your update is saved."))
        return redirect("actions:detail", action_id=action.pk)

    return once.submit(request, form, add)


@login_required
def edit(request, action_id):
    """Correct the action's title, description, owners and due date; only coordinators."""
    action, _may_change = _get_action_for_user(request, action_id)
    if not action.coordinates:
        raise PermissionDenied
    owners = Action.owners.through.objects.filter(action=action).values("user_id")
    # An owner who has left the circle stays a choice, so that saving keeps them; the choice
    # says they left.
    members = members_with_sector(action.circle_id, also=owners).annotate(
        has_left=has_left(action.circle_id)
    )
    data = request.POST if request.method == "POST" else None
    initial = {"owners": [row["user_id"] for row in owners]}
    form = ActionEditForm(data, action=action, members=members, initial=initial)
    if data is not None and form.is_valid():
        action_edit(action=action, by=request.user, **form.changes())
        messages.success(request, _("The action is saved."))
        return redirect("actions:detail", action_id=action.pk)
    return render(request, "actions/edit.html", {"action": action, "form": form})

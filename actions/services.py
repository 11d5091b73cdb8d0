"""Work on actions that spans several models or sends mail."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from actions.models import Action, ActionUpdate
from allies.models import User
from meetings import calendar, notify

# What an owner whom a correction added or removed is told: the subject and the templates.
OWNER_ADDED = (
    pgettext_lazy("email subject", "You now own an action: %(title)s"),
    "emails/action_owner",
)
OWNER_REMOVED = (
    pgettext_lazy("email subject", "You no longer own an action: %(title)s"),
    "emails/action_owner_removed",
)


@transaction.atomic
def action_add_update(
    *,
    action: Action,
    author: User,
    text: str = "",
    new_status: str = "",
    new_due_date: datetime.date | None = None,
) -> ActionUpdate:
    """Add a dated update to the action, changing its status when new_status differs and its
    due date when new_due_date differs (the update keeps the date it replaced).

    Done sets completed_at; moving away from done clears it again.
    """
    if new_status == action.status:
        new_status = ""
    if new_due_date == action.due_date:
        new_due_date = None
    previous_due_date = action.due_date if new_due_date else None
    changed = []
    if new_status:
        action.status = new_status
        action.completed_at = timezone.now() if new_status == Action.Status.DONE else None
        changed += ["status", "completed_at"]
    if new_due_date:
        action.due_date = new_due_date
        changed.append("due_date")
    if changed:
        action.save(update_fields=[*changed, "updated_at"])
    return ActionUpdate.objects.create(
        action=action,
        author=author,
        text=text,
        new_status=new_status,
        new_due_date=new_due_date,
        previous_due_date=previous_due_date,
    )


@transaction.atomic
def action_edit(
    *,
    action: Action,
    by: User,
    title: str,
    description: str,
    owners: Iterable[User],
    due_date: datetime.date | None,
) -> None:
    """Correct the action; its history keeps each earlier version and who changed it, and an
    update by `by` tells its readers what changed.

    The owners who were added or removed are told, each in their own language, once the
    change is committed; not `by`, who made it.
    """
    # Locked, so that two coordinators saving at once each see the owners the other left.
    Action.objects.select_for_update().filter(pk=action.pk).values("pk").get()
    before = set(action.owners.values_list("pk", flat=True))
    previous_title, previous_due_date = action.title, action.due_date
    values = {"title": title, "description": description, "due_date": due_date}
    changed = [name for name, value in values.items() if getattr(action, name) != value]
    for name in changed:
        setattr(action, name, values[name])
    if changed:  # an unchanged save would still write a version into the history
        action.save(update_fields=[*changed, "updated_at"])
    action.owners.set(owners)
    after = {person.pk for person in owners}
    added, removed = after - before, before - after
    if changed or added or removed:
        moved = "due_date" in changed
        update = ActionUpdate.objects.create(
            action=action,
            author=by,
            new_due_date=due_date if moved else None,
            previous_due_date=previous_due_date if moved else None,
            title_corrected="title" in changed,
            description_corrected="description" in changed,
        )
        update.owners_added.set(added)
        update.owners_removed.set(removed)
    # Each is told of the action by the title they knew it by: the removed owners did not see
    # the edit that renamed it.
    for mail, people, known_as in (
        (OWNER_ADDED, added, action.title),
        (OWNER_REMOVED, removed, previous_title),
    ):
        if told := sorted(people - {by.pk}):
            # robust: a mail server that fails is logged; the saved change stays saved.
            transaction.on_commit(
                # Bound now, not when it runs: by then the loop has moved on.
                lambda told=told, mail=mail, known_as=known_as: send_owner_change(
                    action.pk, told, by, mail, known_as=known_as
                ),
                robust=True,
            )


def send_owner_change(
    action_id: int, person_ids: list[int], by: User, mail: tuple, *, known_as: str = ""
) -> int:
    """Tell each of these people who can still be emailed (an active member of the action's
    circle, with an address) that `by` made them an owner (mail OWNER_ADDED) or took them off
    the owners (OWNER_REMOVED); returns how many messages went. `known_as`: the title they
    knew the action by, when the same change renamed it; the email says what it is called
    now too."""
    action = Action.objects.select_related("circle").filter(pk=action_id).first()
    if action is None:
        return 0
    subject, template = mail
    title = known_as or action.title
    ctx = {
        "action": action,
        "title": title,
        "by": by,
        "action_url": calendar.action_url(action),
    }
    messages = [
        notify.compose_for(person, subject, template, ctx, params={"title": title})
        for person in notify.recipients(action.circle).filter(pk__in=person_ids)
    ]
    return notify.send_each(messages)

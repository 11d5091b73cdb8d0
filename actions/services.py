"""Work on actions that spans several models."""

from django.db import transaction
from django.utils import timezone

from actions.models import Action, ActionUpdate
from allies.models import User


@transaction.atomic
def action_add_update(
    *, action: Action, author: User, text: str = "", new_status: str = ""
) -> ActionUpdate:
    """Add a dated update to the action, changing its status when new_status differs.

    Done sets completed_at; moving away from done clears it again.
    """
    if new_status == action.status:
        new_status = ""
    if new_status:
        action.status = new_status
        action.completed_at = timezone.now() if new_status == Action.Status.DONE else None
        action.save(update_fields=["status", "completed_at", "updated_at"])
    return ActionUpdate.objects.create(
        action=action, author=author, text=text, new_status=new_status
    )

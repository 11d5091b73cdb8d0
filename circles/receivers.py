"""Keep the circle's stored summary honest (Circle.flag_count, last_dinner_at, next_dinner_at):
a saved or deleted row that it comes from clears the moment until which it holds, and
refresh_summaries works it out again on the next visit of the staff overview.

Signals rather than calls in the services, because the admin, person erasure and cascading
deletes change these rows too, and a missed call would leave a wrong order without a sign.
This upkeeps derived data; it is no business flow (CONVENTIONS.md). It clears after the row
is written, so a summary worked out before the change is never stored (see
refresh_summaries). The row's circle is read from the database before a save (an edit may
move the row to another circle: both are cleared) and before a delete.

bulk_create, QuerySet.update() and the attendees manager's add(), set() and remove() send no
signal: code that writes these rows so must save the meeting afterwards, as meeting_record
does.
"""

from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from circles.models import Circle, Membership
from meetings.models import Attendance, Meeting

# The rows a circle's summary comes from, and the way from each to its circle.
CIRCLE_OF = {
    Meeting: "circle_id",
    Attendance: "meeting__circle_id",
    Membership: "circle_id",
}


def clear_summaries(circle_ids) -> None:
    """The stored summaries of these circles no longer hold."""
    Circle.objects.filter(pk__in=circle_ids).update(
        summary_valid_until=None, summary_version=F("summary_version") + 1
    )


def _stored_circles(sender, pk) -> set[int]:
    rows = sender._base_manager.filter(pk=pk).order_by()
    return set(rows.values_list(CIRCLE_OF[sender], flat=True))


def remember_circle(sender, instance, **kwargs):
    """Before a save or a delete: the circle the row has in the database."""
    if not instance._state.adding:
        instance._circles_before = _stored_circles(sender, instance.pk)


def clear_after_save(sender, instance, **kwargs):
    before = getattr(instance, "_circles_before", set())
    clear_summaries(_stored_circles(sender, instance.pk) | before)


def clear_after_delete(sender, instance, **kwargs):
    clear_summaries(instance._circles_before)


def clear_after_circle_save(sender, instance, created, **kwargs):
    """A new circle has no summary yet; an edited one may have a new target."""
    if not created:
        clear_summaries([instance.pk])


def connect() -> None:
    for model in CIRCLE_OF:
        name = model.__name__
        pre_save.connect(remember_circle, sender=model, dispatch_uid=f"summary-pre-save-{name}")
        post_save.connect(clear_after_save, sender=model, dispatch_uid=f"summary-save-{name}")
        pre_delete.connect(remember_circle, sender=model, dispatch_uid=f"summary-pre-del-{name}")
        post_delete.connect(clear_after_delete, sender=model, dispatch_uid=f"summary-del-{name}")
    post_save.connect(clear_after_circle_save, sender=Circle, dispatch_uid="summary-circle")

"""Keep the circle's stored summary honest (Circle.flag_count, last_dinner_at, next_dinner_at):
a saved or deleted row that it comes from clears the moment until which it holds, and
refresh_summaries works it out again on the next visit of the staff overview.

Signals rather than calls in the services, because the admin, person erasure and cascading
deletes change these rows too, and a missed call would leave a wrong order without a sign.
This upkeeps derived data; it is no business flow (CONVENTIONS.md). It runs after the row is
written, so a summary worked out before the change is never stored (see refresh_summaries); a
saved row's circle is read before the save as well, for a row moved to another circle.
"""

from django.db.models import F, Q
from django.db.models.signals import post_delete, post_save, pre_save

from circles.models import Circle, Membership
from meetings.models import Attendance, Meeting

# From a Circle to each kind of row its summary comes from.
SUMMARISED_FROM = {
    Meeting: "meetings",
    Attendance: "meetings__attendances",
    Membership: "memberships",
}


def clear_summaries(circles) -> None:
    """The stored summaries of these circles no longer hold."""
    circles.update(summary_valid_until=None, summary_version=F("summary_version") + 1)


def _circle_of(sender, instance) -> Q:
    return Q(**{SUMMARISED_FROM[sender]: instance.pk})


def remember_circle(sender, instance, **kwargs):
    """An edited row may move to another circle: remember the one it leaves."""
    if not instance._state.adding:
        before = Circle.objects.filter(_circle_of(sender, instance)).values_list("pk", flat=True)
        instance._circles_before = list(before)


def clear_after_save(sender, instance, **kwargs):
    before = getattr(instance, "_circles_before", [])
    clear_summaries(Circle.objects.filter(_circle_of(sender, instance) | Q(pk__in=before)))


def clear_after_delete(sender, instance, **kwargs):
    """The row is gone; the circle is the one it was loaded with (a cascade deletes attendances
    before their meeting)."""
    if sender is Attendance:
        clear_summaries(Circle.objects.filter(meetings=instance.meeting_id))
    else:
        clear_summaries(Circle.objects.filter(pk=instance.circle_id))


def clear_after_circle_save(sender, instance, created, **kwargs):
    """A new circle has no summary yet; an edited one may have a new target."""
    if not created:
        clear_summaries(Circle.objects.filter(pk=instance.pk))


def connect() -> None:
    for model in SUMMARISED_FROM:
        pre_save.connect(
            remember_circle, sender=model, dispatch_uid=f"summary-pre-{model.__name__}"
        )
        post_save.connect(clear_after_save, sender=model, dispatch_uid=f"summary-{model.__name__}")
        post_delete.connect(
            clear_after_delete, sender=model, dispatch_uid=f"summary-del-{model.__name__}"
        )
    post_save.connect(clear_after_circle_save, sender=Circle, dispatch_uid="summary-circle")

"""A coordinator's first steps in a new circle ("Getting started").

Planning the year is what the health flags ask of a new circle first, yet a coordinator who
does it at once plans the dinners alone, before anyone else is in. The steps come in the order
that gets a circle going: the members of all three sectors, the WhatsApp group that keeps them
in touch (lesson 2), the coordinator's own commitment (lesson 3), then the dinners.

A circle is being set up until its first dinner is held (circles.health: a dinner is held once
it has started). The steps are worked out from its health and the coordinator's membership,
which the circle page and the dashboard load anyway: they cost no query of their own.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from circles.health import Health
from circles.models import Circle, Membership


@dataclass(frozen=True)
class Step:
    text: str
    url: str  # where it is done
    done: bool
    missing: str = ""  # what is still missing, while it is not done
    waiting: str = ""  # what is on its way, not done yet either


@dataclass(frozen=True)
class GettingStarted:
    circle: Circle
    steps: tuple[Step, ...]


def getting_started(health: Health, membership: Membership) -> GettingStarted | None:
    """The steps of the circle of `health` for the member of `membership`, while the circle is
    being set up and some step is still to do; None once every step is done or a dinner has
    been held, and for a member who does not coordinate the circle."""
    if not membership.is_coordinator or health.last_held is not None:
        return None
    circle = health.circle
    # Invited is not in yet: the step is done once each sector has a member.
    invited = health.invited_sectors
    uninvited = [sector for sector in health.missing_sectors if sector not in invited]
    steps = (
        Step(
            _("Invite members from all three sectors: police, municipality and community"),
            reverse("circles:invite", args=[circle.pk]),
            done=not health.missing_sectors,
            missing=_sectors(_("Still missing: %(sectors)s"), uninvited),
            waiting=_sectors(_("Invited, waiting for an answer: %(sectors)s"), invited),
        ),
        Step(
            _("Add the link to the circle's WhatsApp group, so that members keep in touch"),
            reverse("circles:edit", args=[circle.pk]) + "#id_whatsapp_link",
            done=bool(circle.whatsapp_link),
        ),
        Step(
            _("Agree to the circle's commitment yourself"),
            reverse("circles:detail", args=[circle.pk]) + "#commitment",
            done=membership.has_current_commitment,
        ),
        Step(
            _("Plan the year's dinners"),
            reverse("meetings:plan_year", args=[circle.pk, health.plan_year]),
            done=health.next_planned is not None,
        ),
    )
    if all(step.done for step in steps):
        return None
    return GettingStarted(circle, steps)


def _sectors(text: str, sectors: list) -> str:
    """`text` naming the sectors, or nothing without any."""
    if not sectors:
        return ""
    return text % {"sectors": ", ".join(str(sector.label) for sector in sectors)}


def getting_started_of_coordinator(healths: list[Health], memberships) -> list[GettingStarted]:
    """The steps of each circle of `healths` that is being set up, for the person whose active
    memberships are `memberships` (those of the circles included)."""
    mine = {membership.circle_id: membership for membership in memberships}
    started = (
        getting_started(health, mine[health.circle.pk])
        for health in healths
        if health.circle.pk in mine
    )
    return [steps for steps in started if steps is not None]

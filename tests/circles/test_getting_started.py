"""A new circle's coordinators are shown its first steps ("Getting started"), on the circle
page and the dashboard, each ticked off once it is done, until all are done or a dinner was
held (circles/getting_started.py)."""

import html as html_lib
import re

import pytest
from django.utils import timezone

from circles.models import Circle, Invitation, Membership, Sector
from tests.conftest import KEY_PAGE_MAX_QUERIES, count_queries, make_meeting, make_person

STEP = re.compile(
    r'<span class="visually-hidden">(?P<state>[^<]*):\s*</span>'
    r'<a href="(?P<url>[^"]*)"[^>]*>(?P<text>[^<]*)</a>'
    r'(?:<span class="d-block small">(?P<missing>Still missing[^<]*|Ontbreekt[^<]*)</span>)?'
    r'(?:<span class="d-block small">(?P<waiting>[^<]*)</span>)?'
)
INVITE = "Invite members from all three sectors: police, municipality and community"
WHATSAPP = "Add the link to the circle's WhatsApp group, so that members keep in touch"
COMMIT = "Agree to the circle's commitment yourself"
PLAN = "Plan the year's dinners"


def checklist(client, url="") -> dict[str, str]:
    """The checklist on the page (the circle page by default): its heading, and each step's
    state ("Done" or "To do"), url and what is missing, by its text; {} without one."""
    html = client.get(url or f"/circles/{Circle.objects.get().pk}/").content.decode()
    start = html.find('class="card mb-3 getting-started"')
    if start == -1:
        return {}
    section = html[start : html.index("</section>", start)]
    found = {"heading": re.search(r"<h\d[^>]*>([^<]*)</h\d>", section)[1]}
    for step in STEP.finditer(section):
        found[html_lib.unescape(step["text"])] = {
            "state": step["state"],
            "url": step["url"],
            "missing": step["missing"] or "",
            "waiting": step["waiting"] or "",
        }
    return found


def states(client, url="") -> list[str]:
    steps = checklist(client, url)
    return [steps[text]["state"] for text in (INVITE, WHATSAPP, COMMIT, PLAN)] if steps else []


@pytest.fixture
def alone(client, coordinator):
    """A new circle with its coordinator (police) as its only member."""
    client.force_login(coordinator)
    return coordinator.memberships.get()


def test_a_new_circles_coordinator_sees_each_step_to_do_and_where(client, circle, alone):
    steps = checklist(client)
    assert steps["heading"] == "Getting started"
    assert states(client) == ["To do"] * 4
    assert steps[INVITE]["url"] == f"/circles/{circle.pk}/members/invite/"
    assert steps[INVITE]["missing"] == "Still missing: municipality, community"
    assert steps[WHATSAPP]["url"] == f"/circles/{circle.pk}/edit/#id_whatsapp_link"
    assert steps[COMMIT]["url"] == f"/circles/{circle.pk}/#commitment"
    assert steps[PLAN]["url"].startswith(f"/circles/{circle.pk}/plan/")


def test_each_step_is_ticked_off_when_done_and_the_list_goes_when_all_are(
    client, circle, alone, clerk
):
    assert states(client) == ["To do"] * 4
    assert checklist(client)[INVITE]["missing"] == "Still missing: community"
    make_person_of(circle, "resident", Sector.COMMUNITY)
    steps = checklist(client)
    assert steps[INVITE]["state"] == "Done" and not steps[INVITE]["missing"]
    circle.whatsapp_link = "https://chat.whatsapp.com/overvecht"
    circle.save()
    assert states(client) == ["Done", "Done", "To do", "To do"]
    alone.commit()
    assert states(client) == ["Done", "Done", "Done", "To do"]
    make_meeting(circle, days_ahead=20)
    assert checklist(client) == {}


def make_person_of(circle, username, sector) -> Membership:
    return Membership.objects.create(person=make_person(username), circle=circle, sector=sector)


def invite_to(circle, username, sector, **answer) -> Invitation:
    """An invitation of someone with an account, answered if `answer` says how."""
    return Invitation.objects.create(
        circle=circle, person=make_person(username), sector=sector, **answer
    )


def test_a_sector_invited_and_not_answered_yet_is_waiting_not_done(client, circle, alone):
    invite_to(circle, "clerk", Sector.MUNICIPALITY)
    steps = checklist(client)
    assert steps[INVITE]["state"] == "To do"
    assert steps[INVITE]["missing"] == "Still missing: community"
    assert steps[INVITE]["waiting"] == "Invited, waiting for an answer: municipality"
    invite_to(circle, "resident", Sector.COMMUNITY)
    steps = checklist(client)
    assert steps[INVITE]["state"] == "To do" and steps[INVITE]["missing"] == ""
    assert steps[INVITE]["waiting"] == "Invited, waiting for an answer: municipality, community"


def test_an_answered_invitation_waits_no_more(client, circle, alone):
    invite_to(circle, "clerk", Sector.MUNICIPALITY, answered_at=timezone.now())
    steps = checklist(client)
    assert steps[INVITE]["missing"] == "Still missing: municipality, community"
    assert steps[INVITE]["waiting"] == ""
    # Invited for a sector that has a member already: nothing waits for it.
    make_person_of(circle, "resident", Sector.COMMUNITY)
    invite_to(circle, "neighbour", Sector.COMMUNITY)
    assert checklist(client)[INVITE]["waiting"] == ""


def test_the_coordinator_counts_for_their_sector_and_a_member_who_left_does_not(
    client, circle, alone, clerk, citizen
):
    assert checklist(client)[INVITE]["state"] == "Done"
    citizen.memberships.get().end()
    assert checklist(client)[INVITE]["missing"] == "Still missing: community"


@pytest.mark.parametrize("agreed", ["ran_out", "earlier_text"])
def test_a_commitment_that_ran_out_or_to_an_earlier_text_is_still_to_do(
    client, circle, alone, agreed
):
    if agreed == "ran_out":
        alone.commit(today=alone.joined_on.replace(year=alone.joined_on.year - 2))
    else:
        alone.commit()
        circle.commitment_text = "We meet five times a year, and we bring a friend."
        circle.save()
    assert checklist(client)[COMMIT]["state"] == "To do"


@pytest.mark.parametrize(
    "meeting", [{"status": "cancelled"}, {"kind": "extra"}], ids=["cancelled", "extra"]
)
def test_only_a_dinner_ahead_plans_the_year(client, circle, alone, meeting):
    make_meeting(circle, days_ahead=20, **meeting)
    assert checklist(client)[PLAN]["state"] == "To do"


def test_it_is_gone_once_a_dinner_was_held(client, circle, alone):
    make_meeting(circle, days_ahead=-20)
    assert checklist(client) == {}


def test_plain_members_never_see_it(client, circle, coordinator, citizen):
    client.force_login(citizen)
    assert checklist(client) == {}
    assert checklist(client, "/") == {}


def test_it_speaks_dutch(client, circle, alone):
    alone.person.preferred_language = "nl"
    alone.person.save()
    steps = checklist(client)
    assert steps["heading"] == "Zo begin je"
    invite = steps["Nodig leden uit van alle drie de sectoren: politie, gemeente en bewoners"]
    assert invite == {
        "state": "Nog te doen",
        "url": f"/circles/{circle.pk}/members/invite/",
        "missing": "Ontbreekt nog: gemeente, bewoners",
        "waiting": "",
    }
    invite_to(circle, "clerk", Sector.MUNICIPALITY)
    invite = checklist(client)[
        "Nodig leden uit van alle drie de sectoren: politie, gemeente en bewoners"
    ]
    assert invite["missing"] == "Ontbreekt nog: bewoners"
    assert invite["waiting"] == "Uitgenodigd, wacht op antwoord: gemeente"
    assert "Stem zelf in met de toezegging van de kring" in steps


def test_the_dashboard_shows_it_among_the_next_steps_by_circle(client, circle, alone):
    html = client.get("/").content.decode()
    assert html.index("Next steps") < html.index("Getting started with Overvecht Allies")
    assert checklist(client, "/")["heading"] == "Getting started with Overvecht Allies"
    assert states(client, "/") == ["To do"] * 4
    make_meeting(circle, days_ahead=-20)
    assert checklist(client, "/") == {}


@pytest.mark.parametrize("url", ["/", "detail"])
def test_it_costs_no_query(client, circle, alone, url):
    url = f"/circles/{circle.pk}/" if url == "detail" else url
    shown = count_queries(client, url)
    assert checklist(client, url)
    for n in range(20):
        make_person_of(circle, f"member{n}", Sector.values[n % 3]).commit()
        invite_to(circle, f"invited{n}", Sector.values[n % 3])
    for n in range(3):  # more circles the coordinator sets up (the dashboard lists each)
        more = Circle.objects.create(name=f"New circle {n}", municipality="Utrecht")
        Membership.objects.create(
            person=alone.person, circle=more, sector=Sector.POLICE, is_coordinator=True
        )
    assert count_queries(client, url) == shown <= KEY_PAGE_MAX_QUERIES
    # The same page without it.
    circle.whatsapp_link = "https://chat.whatsapp.com/overvecht"
    circle.save()
    alone.commit()
    make_meeting(circle, days_ahead=-20)
    Circle.objects.exclude(pk=circle.pk).delete()
    assert checklist(client, url) == {}
    assert count_queries(client, url) == shown

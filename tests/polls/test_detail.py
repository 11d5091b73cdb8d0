"""The poll page (/polls/<id>/): everyone in the circle sees the tally; the coordinator picks."""

import re

from circles.models import Membership, Sector
from meetings.models import Meeting
from polls import services
from tests.conftest import count_queries, make_person
from tests.polls.conftest import CARRY_OVER, answer, local

URL = "/polls/{}/"


def test_dutch_dates_have_their_months_in_lower_case(client, poll, cast):
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    client.force_login(cast["citizen"])
    html = client.get(URL.format(poll.pk)).content.decode()
    assert "do 11 mrt 2027, 18:30" in html and "Mrt" not in html


def test_members_see_the_dates_and_the_tally(client, poll, cast):
    answer(poll, cast["officer"], "yes", "yes", "no")
    answer(poll, cast["clerk"], "no", "if_need_be", "yes")
    answer(poll, cast["coordinator"], "no", "yes", "no")
    client.force_login(cast["citizen"])
    html = client.get(URL.format(poll.pk)).content.decode()
    assert "Spring dinner" in html and "Zamenhofdreef 20, Utrecht" in html
    assert "3 of 4 members answered." in html
    rows = html.split('<th scope="row" role="rowheader" class="fw-normal">')[1:4]
    assert "Thu 11 Mar 2027, 18:30" in rows[0]
    counts = [
        [
            cell.split(">")[1].split("<")[0]
            for cell in row.split('<td role="cell" class="text-end"')[1:4]
        ]
        for row in rows
    ]
    assert counts == [["1", "0", "2"], ["2", "1", "0"], ["1", "0", "2"]]
    assert "Clerk (if need be); Coordinator; Officer</span>" in rows[1]
    assert "Officer</span>" in rows[0]  # no trailing separator for those who said no
    assert "suits most" in rows[1] and "suits most" not in rows[0] + rows[2]
    assert "Pick" not in html  # a member does not pick
    assert "Not answered yet" not in html
    assert "My answers" in html


def test_the_coordinator_sees_who_has_not_answered_and_can_pick(client, poll, cast):
    answer(poll, cast["officer"], "yes", "yes", "no")
    client.force_login(cast["coordinator"])
    html = client.get(URL.format(poll.pk)).content.decode()
    assert "Not answered yet: Citizen, Clerk, Coordinator" in html
    assert html.count(f'href="/polls/{poll.pk}/pick/?option=') == 3
    assert f'href="/polls/{poll.pk}/close/">Close without a date</a>' in html


def test_the_coordinator_reads_that_the_answers_carry_over_to_the_meeting(client, poll, cast):
    client.force_login(cast["coordinator"])
    assert CARRY_OVER in client.get(URL.format(poll.pk)).content.decode()
    client.force_login(cast["citizen"])  # who cannot pick is not told what picking does
    assert CARRY_OVER not in client.get(URL.format(poll.pk)).content.decode()


def test_members_read_that_their_answer_carries_over_where_they_answer(client, poll, citizen):
    client.force_login(citizen)
    html = client.get(URL.format(poll.pk)).content.decode()
    start = html.index('id="my-answer"')
    section = html[start : html.index("</form>", start)]
    assert "Your answer for the date that is picked becomes your answer to the meeting" in section


def test_a_closed_poll_counts_the_members_it_asked(
    client, poll, cast, clock, django_capture_on_commit_callbacks
):
    answer(poll, cast["officer"], "yes", "yes", "no")
    answer(poll, cast["citizen"], "no", "yes", "yes")
    with django_capture_on_commit_callbacks(execute=False):
        services.poll_pick(poll=poll, option=poll.options.order_by("starts_at")[1])
    clock.move_to(local(2027, 3, 2, 10), tick=False)
    for name in ("newcomer", "latecomer"):
        Membership.objects.create(
            person=make_person(name), circle=poll.circle, sector=Sector.COMMUNITY
        )
    cast["clerk"].memberships.get().end()
    client.force_login(cast["coordinator"])
    html = client.get(URL.format(poll.pk)).content.decode()
    # The two who joined since were never asked; the clerk was, and left since.
    assert "2 of 4 members answered." in html


def test_an_answer_of_someone_who_left_does_not_count(client, poll, cast):
    answer(poll, cast["citizen"], "no", "yes", "yes")
    cast["citizen"].memberships.get().end()
    client.force_login(cast["coordinator"])
    assert "0 of 3 members answered." in client.get(URL.format(poll.pk)).content.decode()


def checked(html: str, name: str) -> list[str]:
    """The values of the checked radio buttons named `name`."""
    inputs = re.findall(r"<input [^>]*>", html)
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in inputs
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


def test_my_earlier_answers_are_checked(client, poll, citizen):
    answer(poll, citizen, "no", "if_need_be", "yes")
    client.force_login(citizen)
    html = client.get(URL.format(poll.pk)).content.decode()
    assert "Change my answers" in html
    options = poll.options.order_by("starts_at")
    assert [checked(html, f"option_{o.pk}") for o in options] == [["no"], ["if_need_be"], ["yes"]]


def test_a_picked_poll_shows_the_date_and_no_more_answers(
    client, poll, cast, django_capture_on_commit_callbacks
):
    option = poll.options.order_by("starts_at")[1]
    with django_capture_on_commit_callbacks(execute=False):
        services.poll_pick(poll=poll, option=option)
    client.force_login(cast["citizen"])
    html = client.get(URL.format(poll.pk)).content.decode()
    assert "The date is picked: Thursday 18 March 2027, 18:30." in html
    assert "Save my answers" not in html
    assert Meeting.objects.count() == 1


def test_a_passed_date_cannot_be_picked(client, poll, cast, clock):
    clock.move_to(local(2027, 3, 12, 9), tick=False)
    client.force_login(cast["coordinator"])
    html = client.get(URL.format(poll.pk)).content.decode()
    assert "passed" in html
    assert html.count(f'href="/polls/{poll.pk}/pick/?option=') == 2


ALL_PASSED = "Every date of this poll has passed, so none can be picked."


def test_the_coordinator_is_asked_to_close_a_poll_whose_dates_have_all_passed(
    client, poll, cast, clock
):
    clock.move_to(local(2027, 3, 25, 18), tick=False)
    client.force_login(cast["coordinator"])
    assert ALL_PASSED not in client.get(URL.format(poll.pk)).content.decode()
    clock.move_to(local(2027, 3, 25, 19), tick=False)
    html = client.get(URL.format(poll.pk)).content.decode()
    assert ALL_PASSED in html
    assert html.count(f'href="/polls/{poll.pk}/close/"') == 2  # in the notice and below
    client.force_login(cast["citizen"])
    assert ALL_PASSED not in client.get(URL.format(poll.pk)).content.decode()


# What members read instead of the answer form once every date has passed.
ALL_PASSED_FOR_MEMBERS = (
    "Every date of this poll has passed, so it takes no more answers. The coordinator will"
    " close it."
)


def test_members_are_told_the_coordinator_will_close_a_poll_whose_dates_have_all_passed(
    client, poll, cast, clock
):
    clock.move_to(local(2027, 3, 25, 18), tick=False)
    client.force_login(cast["citizen"])
    html = client.get(URL.format(poll.pk)).content.decode()
    assert "Save my answers" in html and ALL_PASSED_FOR_MEMBERS not in html
    clock.move_to(local(2027, 3, 25, 19), tick=False)
    html = client.get(URL.format(poll.pk)).content.decode()
    assert ALL_PASSED_FOR_MEMBERS in html
    assert "Save my answers" not in html and 'id="my-answer"' not in html
    client.force_login(cast["coordinator"])  # asked to close it instead, and to answer neither
    html = client.get(URL.format(poll.pk)).content.decode()
    assert ALL_PASSED in html and ALL_PASSED_FOR_MEMBERS not in html
    assert "Save my answers" not in html


def test_outsider_gets_404(client, poll, outsider):
    client.force_login(outsider)
    assert client.get(URL.format(poll.pk)).status_code == 404


def test_a_member_who_left_gets_404(client, poll, citizen):
    Membership.objects.get(person=citizen).end()
    client.force_login(citizen)
    assert client.get(URL.format(poll.pk)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client, poll):
    response = client.get(URL.format(poll.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_query_count_does_not_grow_with_the_answers(client, poll, circle, coordinator):
    client.force_login(coordinator)

    def add(count, start):
        for n in range(start, start + count):
            person = make_person(f"m{n}")
            Membership.objects.create(person=person, circle=circle, sector=Sector.COMMUNITY)
            answer(poll, person, "yes", "no", "if_need_be")

    add(3, 0)
    few = count_queries(client, URL.format(poll.pk))
    add(57, 3)
    assert count_queries(client, URL.format(poll.pk)) == few

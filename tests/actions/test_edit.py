import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from actions.models import Action
from circles.models import Sector
from tests.actions import test_detail
from tests.conftest import make_person
from tests.error_summary import link, summary
from tests.meetings.test_record import labels

# Agreed at a dinner ten days ago, due on 1 January 2020 (before it: entered so in admin),
# owned by the clerk and the citizen.
lights = test_detail.lights


def url(action):
    return f"/actions/{action.pk}/edit/"


def data(action, **changes):
    """The form as sent unchanged, with `changes` (owners as people)."""
    values = {
        "title": action.title,
        "description": action.description,
        "owners": list(action.owners.all()),
        "due_date": action.due_date.isoformat() if action.due_date else "",
    } | changes
    values["owners"] = [str(person.pk) for person in values["owners"]]
    return values


def edit(client, coordinator, action, capture, **changes):
    client.force_login(coordinator)
    with capture(execute=True):
        response = client.post(url(action), data(action, **changes))
    assert response.status_code == 302
    assert response.url == f"/actions/{action.pk}/"
    return response


def test_anonymous_is_sent_to_sign_in(client, lights):
    for response in (client.get(url(lights)), client.post(url(lights), data(lights, title="x"))):
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")
    lights.refresh_from_db()
    assert lights.title == "Ask for street lights"


def test_outsider_gets_404(client, lights, outsider):
    client.force_login(outsider)
    assert client.get(url(lights)).status_code == 404
    assert client.post(url(lights), data(lights, title="Mine")).status_code == 404
    lights.refresh_from_db()
    assert lights.title == "Ask for street lights"


@pytest.mark.parametrize("who", ["clerk", "officer"])  # an owner, a member
def test_a_member_who_does_not_coordinate_gets_403(client, lights, cast, who):
    client.force_login(cast[who])
    assert client.get(url(lights)).status_code == 403
    changes = {"title": "Mine", "owners": [cast[who]], "due_date": "2040-01-01"}
    assert client.post(url(lights), data(lights, **changes)).status_code == 403
    lights.refresh_from_db()
    assert lights.title == "Ask for street lights"
    assert lights.due_date == datetime.date(2020, 1, 1)
    assert set(lights.owners.all()) == {cast["clerk"], cast["citizen"]}


def test_the_action_page_links_to_the_form_for_coordinators_only(client, lights, cast):
    edit_link = f'href="{url(lights)}"'
    client.force_login(cast["coordinator"])
    assert edit_link in client.get(f"/actions/{lights.pk}/").content.decode()
    for who in ("clerk", "officer"):
        client.force_login(cast[who])
        assert edit_link not in client.get(f"/actions/{lights.pk}/").content.decode()


def test_the_form_shows_the_action_and_the_members_with_their_sector(client, lights, cast):
    client.force_login(cast["coordinator"])
    html = client.get(url(lights)).content.decode()
    assert 'value="Ask for street lights"' in html and "In the underpass." in html
    assert labels(html, "owners") == {
        str(cast["coordinator"].pk): "Coordinator (police)",
        str(cast["officer"].pk): "Officer (police)",
        str(cast["clerk"].pk): "Clerk (municipality)",
        str(cast["citizen"].pk): "Citizen (community)",
    }
    ticked = re.findall(r'name="owners" value="(\d+)"[^>]*checked', html)
    assert sorted(ticked) == sorted([str(cast["clerk"].pk), str(cast["citizen"].pk)])
    assert 'value="2020-01-01"' in html
    assert "Owners you add or remove are told by email." in html


def everything_corrected(cast) -> dict:
    """Changes to each field: the clerk makes way for the officer."""
    return {
        "title": "Ask for lights in the underpass",
        "description": "Both ends.",
        "owners": [cast["citizen"], cast["officer"]],
        "due_date": "2030-03-01",
    }


def test_a_coordinator_corrects_the_action(
    client, lights, cast, django_capture_on_commit_callbacks
):
    changes = everything_corrected(cast)
    response = edit(
        client, cast["coordinator"], lights, django_capture_on_commit_callbacks, **changes
    )
    lights.refresh_from_db()
    assert lights.title == "Ask for lights in the underpass"
    assert lights.description == "Both ends."
    assert lights.due_date == datetime.date(2030, 3, 1)
    assert set(lights.owners.all()) == {cast["citizen"], cast["officer"]}
    html = client.get(response.url).content.decode()
    assert "The action is saved." in html and "1 March 2030" in html


def test_the_history_keeps_the_earlier_version_and_who_changed_it(
    client, lights, cast, django_capture_on_commit_callbacks
):
    before = lights.history.count()
    edit(
        client,
        cast["coordinator"],
        lights,
        django_capture_on_commit_callbacks,
        title="Lights",
        owners=[cast["citizen"]],
        due_date="2030-03-01",
    )
    versions = list(lights.history.all())  # the latest first
    assert len(versions) > before
    assert {version.history_user for version in versions[: len(versions) - before]} == {
        cast["coordinator"]
    }
    latest, earliest = versions[0], versions[-1]
    assert latest.title == "Lights" and latest.due_date == datetime.date(2030, 3, 1)
    assert [owner.user for owner in latest.owners.all()] == [cast["citizen"]]
    assert earliest.title == "Ask for street lights"
    assert earliest.due_date == datetime.date(2020, 1, 1)


def test_saving_it_unchanged_writes_no_version(
    client, lights, cast, django_capture_on_commit_callbacks
):
    before = lights.history.count()
    edit(client, cast["coordinator"], lights, django_capture_on_commit_callbacks)
    assert lights.history.count() == before and mail.outbox == []
    assert not lights.updates.exists()


def updates(client, reader, action) -> str:
    """The updates on the action's page, as `reader` sees them."""
    client.force_login(reader)
    html = client.get(f"/actions/{action.pk}/").content.decode()
    return html[html.index('id="updates-heading"') :]


def test_the_members_read_the_correction_among_the_updates(
    client, lights, cast, django_capture_on_commit_callbacks
):
    changes = everything_corrected(cast)
    edit(client, cast["coordinator"], lights, django_capture_on_commit_callbacks, **changes)
    update = lights.updates.get()
    assert update.author == cast["coordinator"] and update.text == ""
    assert (update.previous_due_date, update.new_due_date) == (
        datetime.date(2020, 1, 1),
        datetime.date(2030, 3, 1),
    )
    assert list(update.owners_added.all()) == [cast["officer"]]
    assert list(update.owners_removed.all()) == [cast["clerk"]]
    assert update.title_corrected and update.description_corrected
    html = updates(client, cast["clerk"], lights)  # removed, and still a member
    assert "· Coordinator" in html
    assert "Due date moved from 1 January 2020 to 1 March 2030." in html
    assert "Owners: added Officer; removed Clerk." in html
    assert "Title and description corrected." in html


def test_the_correction_is_read_in_the_readers_language(
    client, lights, cast, django_capture_on_commit_callbacks
):
    changes = {"title": "Lights", "owners": [cast["officer"]], "due_date": "2030-03-01"}
    edit(client, cast["coordinator"], lights, django_capture_on_commit_callbacks, **changes)
    cast["officer"].preferred_language = "nl"
    cast["officer"].save()
    html = updates(client, cast["officer"], lights)
    assert "Streefdatum verschoven van 1 januari 2020 naar 1 maart 2030." in html
    assert "Eigenaren: Officer toegevoegd; Citizen, Clerk verwijderd." in html
    assert "Titel verbeterd." in html


@pytest.mark.parametrize(
    ("changes", "told"),
    [
        ({"title": "Lights"}, "Title corrected."),
        ({"description": ""}, "Description corrected."),
        ({"due_date": ""}, "Due date removed (it was 1 January 2020)."),
        ({"owners": ["clerk", "citizen", "officer"]}, "Owners: added Officer."),
        ({"owners": ["citizen"]}, "Owners: removed Clerk."),
    ],
)
def test_the_update_says_only_what_changed(
    client, lights, cast, django_capture_on_commit_callbacks, changes, told
):
    if "owners" in changes:
        changes["owners"] = [cast[who] for who in changes["owners"]]
    edit(client, cast["coordinator"], lights, django_capture_on_commit_callbacks, **changes)
    html = updates(client, cast["officer"], lights)
    said = re.findall(r'<p class="mb-1">([^<]*)</p>', html)
    assert said == [told]


def test_the_owners_who_were_added_are_told_in_their_language(
    client, lights, cast, django_capture_on_commit_callbacks
):
    cast["officer"].preferred_language = "nl"
    cast["officer"].save()
    youth = make_person("youth", name="Youth worker")
    lights.circle.memberships.create(person=youth, sector=Sector.COMMUNITY)
    owners = [cast["clerk"], cast["citizen"], cast["officer"], youth, cast["coordinator"]]
    edit(
        client,
        cast["coordinator"],
        lights,
        django_capture_on_commit_callbacks,
        owners=owners,
        due_date="2030-03-01",
    )
    # Not the clerk and the citizen, who owned it already, nor the coordinator, who made the
    # change.
    told = {message.to[0]: message for message in mail.outbox}
    assert sorted(told) == ["officer@example.org", "youth@example.org"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert_told(
        told["youth@example.org"],
        lights,
        "You now own an action: Ask for street lights",
        "Coordinator has made you an owner of this action of Overvecht Allies:",
        "Due on Friday 1 March 2030.",
    )
    assert_told(
        told["officer@example.org"],
        lights,
        "Je bent nu eigenaar van een actiepunt: Ask for street lights",
        "Coordinator heeft je eigenaar gemaakt van dit actiepunt van Overvecht",
        "Streefdatum: vrijdag 1 maart 2030.",
    )


def assert_told(message, action, subject: str, *lines: str):
    """The message has this subject and these lines, and its text and HTML link to the
    action."""
    assert message.subject == subject
    for line in lines:
        assert line in message.body
    html, _type = message.alternatives[0]
    assert f"/actions/{action.pk}/" in message.body
    assert action.title in html and f"/actions/{action.pk}/" in html


def test_the_owners_who_were_removed_are_told_in_their_language(
    client, lights, cast, django_capture_on_commit_callbacks
):
    cast["clerk"].preferred_language = "nl"
    cast["clerk"].save()
    lights.owners.add(cast["coordinator"])
    edit(
        client,
        cast["coordinator"],
        lights,
        django_capture_on_commit_callbacks,
        owners=[cast["officer"]],
    )
    # The officer is told they now own it; not the coordinator, who took themselves off.
    told = {message.to[0]: message for message in mail.outbox}
    assert sorted(told) == ["citizen@example.org", "clerk@example.org", "officer@example.org"]
    assert told["officer@example.org"].subject == "You now own an action: Ask for street lights"
    assert_told(
        told["citizen@example.org"],
        lights,
        "You no longer own an action: Ask for street lights",
        "Hello Citizen,",
        "Coordinator has taken you off the owners of this action of Overvecht Allies:",
        "If you have a question about it, ask Coordinator, who coordinates the circle.",
    )
    # Said once, by the subject and the first sentence.
    assert "no longer own it" not in told["citizen@example.org"].body
    assert "now called" not in told["citizen@example.org"].body  # its title did not change
    assert_told(
        told["clerk@example.org"],
        lights,
        "Je bent geen eigenaar meer van een actiepunt: Ask for street lights",
        "Coordinator heeft je als eigenaar van dit actiepunt van Overvecht Allies weggehaald:",
        "Heb je er een vraag over, stel die dan aan Coordinator, die de kring coördineert.",
    )


def test_an_owner_removed_as_it_was_renamed_is_told_the_title_they_knew(
    client, lights, cast, django_capture_on_commit_callbacks
):
    """They did not see the edit: by its new title alone they would not know which it was."""
    cast["citizen"].preferred_language = "nl"
    cast["citizen"].save()
    edit(
        client,
        cast["coordinator"],
        lights,
        django_capture_on_commit_callbacks,
        title="Ask for lights in the underpass",
        owners=[cast["officer"]],
    )
    told = {message.to[0]: message for message in mail.outbox}
    assert_told(
        told["clerk@example.org"],
        lights,
        "You no longer own an action: Ask for street lights",
        "Ask for street lights (now called “Ask for lights in the underpass”)",
    )
    html, _type = told["clerk@example.org"].alternatives[0]
    assert "<strong>Ask for street lights</strong> (now called “Ask for lights in the" in html
    assert_told(
        told["citizen@example.org"],
        lights,
        "Je bent geen eigenaar meer van een actiepunt: Ask for street lights",
        "Ask for street lights (heet nu “Ask for lights in the underpass”)",
    )
    # Whoever now owns it knows it only by its new title.
    added = told["officer@example.org"]
    assert added.subject == "You now own an action: Ask for lights in the underpass"
    assert "Ask for street lights" not in added.body


def test_an_owner_who_left_the_circle_is_not_told_of_their_removal(
    client, lights, cast, django_capture_on_commit_callbacks
):
    # They cannot open the action any more: the circle's business is no longer theirs.
    cast["clerk"].memberships.get().end()
    edit(
        client,
        cast["coordinator"],
        lights,
        django_capture_on_commit_callbacks,
        owners=[cast["citizen"]],
    )
    assert list(lights.owners.all()) == [cast["citizen"]] and mail.outbox == []


def test_an_owner_who_left_the_circle_stays_a_choice_and_is_kept(
    client, lights, cast, django_capture_on_commit_callbacks
):
    cast["clerk"].memberships.get().end()
    client.force_login(cast["coordinator"])
    html = client.get(url(lights)).content.decode()
    assert labels(html, "owners")[str(cast["clerk"].pk)] == "Clerk (municipality, left the circle)"
    edit(client, cast["coordinator"], lights, django_capture_on_commit_callbacks, title="Lights")
    lights.refresh_from_db()
    assert lights.title == "Lights"
    assert set(lights.owners.all()) == {cast["clerk"], cast["citizen"]}


def test_someone_who_left_cannot_be_made_an_owner(client, lights, cast):
    cast["officer"].memberships.get().end()
    client.force_login(cast["coordinator"])
    response = client.post(url(lights), data(lights, owners=[cast["officer"]]))
    assert "Choose owners among the members of the circle." in response.content.decode()
    assert set(lights.owners.all()) == {cast["clerk"], cast["citizen"]}
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("changes", "anchor", "error"),
    [
        ({"title": ""}, "id_title", "Title: This field is required."),
        ({"owners": []}, "id_owners_0", "Owners: This field is required."),
        ({"title": "Street\nlights"}, "id_title", "Title: This text contains invisible"),
        (
            {"due_date": "2000-01-01"},
            "id_due_date",
            "Due date: The due date cannot be before the meeting.",
        ),
        (
            {"due_date": "2200-01-01"},
            "id_due_date",
            "Due date: Choose a due date within 10 years of the meeting.",
        ),
    ],
)
def test_bad_input_keeps_what_was_typed_and_saves_nothing(
    client, lights, cast, changes, anchor, error
):
    client.force_login(cast["coordinator"])
    typed = {"description": "Typed words.", "owners": [cast["officer"]]}
    response = client.post(url(lights), data(lights, **typed | changes))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<li><a href="#{anchor}" class="alert-link">{error}' in summary(html)
    assert "Typed words." in html
    if "owners" not in changes:
        assert re.findall(r'name="owners" value="(\d+)"[^>]*checked', html) == [
            str(cast["officer"].pk)
        ]
    lights.refresh_from_db()
    assert lights.description == "In the underpass."
    assert set(lights.owners.all()) == {cast["clerk"], cast["citizen"]}
    assert mail.outbox == []


def test_a_new_due_date_gone_by_is_refused_as_an_owners_is(client, lights, cast):
    # After the meeting, yet before today: the action would be overdue the moment it is saved.
    client.force_login(cast["coordinator"])
    with time_machine.travel(timezone.now(), tick=False):
        yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
        typed = {"title": "Lights", "description": "Typed words.", "due_date": yesterday}
        response = client.post(url(lights), data(lights, **typed))
    html = response.content.decode()
    assert response.status_code == 200
    assert link("id_due_date", "Due date: Choose today or a later date.") in summary(html)
    assert 'value="Lights"' in html and "Typed words." in html
    assert f'value="{yesterday}"' in html
    lights.refresh_from_db()
    assert lights.title == "Ask for street lights"
    assert lights.due_date == datetime.date(2020, 1, 1)
    assert not lights.updates.exists() and mail.outbox == []


def test_a_due_date_left_as_it_was_is_kept_even_gone_by_and_before_the_meeting(
    client, lights, cast, django_capture_on_commit_callbacks
):
    # One entered in admin may break the record form's rules, and one agreed long ago has
    # passed: correcting the title keeps it.
    edit(client, cast["coordinator"], lights, django_capture_on_commit_callbacks, title="Lights")
    lights.refresh_from_db()
    assert lights.title == "Lights" and lights.due_date == datetime.date(2020, 1, 1)


def test_an_action_without_its_meeting_takes_a_due_date_from_today_within_ten_years(
    client, lights, cast, django_capture_on_commit_callbacks
):
    Action.objects.filter(pk=lights.pk).update(meeting=None)
    client.force_login(cast["coordinator"])
    response = client.post(url(lights), data(lights, due_date="2200-01-01"))
    assert "Choose a date within the next 10 years." in response.content.decode()
    response = client.post(url(lights), data(lights, due_date="2000-01-01"))
    assert "Choose today or a later date." in response.content.decode()
    with time_machine.travel(timezone.now(), tick=False):
        today = timezone.localdate()
        edit(
            client,
            cast["coordinator"],
            lights,
            django_capture_on_commit_callbacks,
            due_date=today.isoformat(),
        )
    lights.refresh_from_db()
    assert lights.due_date == today


def test_a_member_of_another_circle_is_no_choice(client, lights, cast):
    stranger = make_person("stranger")
    client.force_login(cast["coordinator"])
    html = client.get(url(lights)).content.decode()
    assert str(stranger.pk) not in labels(html, "owners")
    assert str(cast["outsider"].pk) not in labels(html, "owners")
    response = client.post(url(lights), data(lights, owners=[cast["outsider"]]))
    assert link("id_owners_0", "Owners: Choose owners among the members of the circle.") in (
        summary(response.content.decode())
    )

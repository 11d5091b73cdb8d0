"""A changed commitment text is emailed to the members who had agreed to the text it replaced,
whether a coordinator changed it on the edit page or an admin in Django admin."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from circles import services
from circles.models import DEFAULT_COMMITMENT, Circle, Membership, Sector
from tests.circles.test_edit import data, url
from tests.conftest import make_person
from tests.htmlforms import forms_on

OLD = "We eat together and keep in touch."
NEW = "We eat together, keep in touch and bring a dessert."


def agree(person, circle, language="en"):
    """The person presses "I commit" on a page in `language`."""
    with translation.override(language):
        Membership.objects.active().get(person=person, circle=circle).commit()


def member(circle, username, **extra) -> Membership:
    return Membership.objects.create(
        person=make_person(username, **extra), circle=circle, sector=Sector.COMMUNITY
    )


@pytest.fixture
def agreed(circle, coordinator, officer, clerk, citizen):
    """The circle's own text, agreed to by the coordinator, the officer and the clerk; the
    citizen has not agreed."""
    circle.commitment_text = OLD
    circle.save()
    for person in (coordinator, officer, clerk):
        agree(person, circle)
    return circle


def edit(client, coordinator, circle, capture, text):
    client.force_login(coordinator)
    with capture(execute=True):
        response = client.post(url(circle), data(commitment_text=text))
    assert response.status_code == 302
    return response


def by_address() -> dict:
    assert all(len(message.to) == 1 for message in mail.outbox)
    return {message.to[0]: message for message in mail.outbox}


def test_members_who_agreed_to_the_old_text_are_told(
    client, agreed, coordinator, outsider, django_capture_on_commit_callbacks
):
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, NEW)
    # Not the coordinator who changed it, nor the citizen who never agreed, nor an outsider.
    assert sorted(by_address()) == ["clerk@example.org", "officer@example.org"]


def test_the_coordinator_reads_how_many_were_emailed(
    client, agreed, coordinator, django_capture_on_commit_callbacks
):
    left = member(agreed, "left")
    agree(left.person, agreed)
    left.end()
    response = edit(client, coordinator, agreed, django_capture_on_commit_callbacks, NEW)
    page = client.get(response.url).content.decode()
    told = "The 2 members who had agreed to the earlier commitment get an email asking them"
    assert told in page


def test_a_change_nobody_had_agreed_to_tells_the_coordinator_of_no_email(
    client, circle, coordinator, django_capture_on_commit_callbacks
):
    response = edit(client, coordinator, circle, django_capture_on_commit_callbacks, NEW)
    page = client.get(response.url).content.decode()
    assert "The circle&#x27;s settings are saved." in page
    assert "had agreed to the earlier commitment" not in page


def test_the_email_says_who_changed_it_shows_the_new_text_and_links_to_it(
    client, agreed, coordinator, settings, django_capture_on_commit_callbacks
):
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, NEW)
    message = by_address()["officer@example.org"]
    assert message.subject == "Coordinator changed the commitment of Overvecht Allies"
    assert message.extra_headers["Content-Language"] == "en"
    link = f"{settings.SITE_URL}/circles/{agreed.pk}/#commitment"
    intro = "Coordinator changed the commitment of Overvecht Allies. You had agreed to the earlier"
    assert intro in message.body
    assert f"{NEW}\n" in message.body and OLD not in message.body
    assert f"Read it, and commit again if you agree:\n{link}\n" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f"<blockquote><p>{NEW}</p></blockquote>" in html
    assert f'<a href="{link}">Read it, and commit again if you agree</a>' in html


def test_nothing_is_sent_before_the_change_is_committed(
    client, agreed, coordinator, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(url(agreed), data(commitment_text=NEW))
        assert mail.outbox == []
    assert len(callbacks) == 1


def test_members_who_left_or_cannot_be_emailed_are_not_told(
    client, agreed, coordinator, django_capture_on_commit_callbacks
):
    left = member(agreed, "left")
    inactive = member(agreed, "inactive")
    no_address = member(agreed, "noaddress", email="")
    for membership in (left, inactive, no_address):
        agree(membership.person, agreed)
    left.end()
    inactive.person.is_active = False
    inactive.person.save()
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, NEW)
    assert sorted(by_address()) == ["clerk@example.org", "officer@example.org"]


def test_a_member_who_agreed_to_an_even_earlier_text_is_not_told_again(
    client, agreed, coordinator, officer, django_capture_on_commit_callbacks
):
    """They were told when that text changed, and the circle page asks them to commit."""
    Membership.objects.filter(person=officer).update(commitment_agreed_text="Our first text.")
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, NEW)
    assert sorted(by_address()) == ["clerk@example.org"]


def test_each_reads_the_new_standard_text_in_their_own_language(
    client, agreed, coordinator, officer, clerk, django_capture_on_commit_callbacks
):
    officer.preferred_language = "nl"
    officer.save()
    with translation.override("en"):
        english = str(DEFAULT_COMMITMENT)
    with translation.override("nl"):
        dutch = str(DEFAULT_COMMITMENT)
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, english)
    sent = by_address()
    in_dutch = sent["officer@example.org"]
    assert in_dutch.subject == "Coordinator heeft de toezegging van Overvecht Allies aangepast"
    assert in_dutch.extra_headers["Content-Language"] == "nl"
    assert dutch in in_dutch.body and english not in in_dutch.body
    assert dutch in in_dutch.alternatives[0][0]
    assert "Lees de tekst en zeg opnieuw toe als je ermee instemt" in in_dutch.body
    assert english in sent["clerk@example.org"].body


@pytest.mark.parametrize(
    "text",
    [
        f"  {OLD}  ",
        "We eat together\r\nand keep in touch.",
    ],
    ids=["spaces around", "a line break"],
)
def test_a_change_of_spacing_only_sends_nothing(
    client, agreed, coordinator, text, django_capture_on_commit_callbacks
):
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, text)
    agreed.refresh_from_db()
    assert agreed.commitment_text.split() == OLD.split()
    assert mail.outbox == []


def test_settings_saved_without_a_change_to_the_text_send_nothing(
    client, agreed, coordinator, django_capture_on_commit_callbacks
):
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, OLD)
    agreed.refresh_from_db()
    assert agreed.dinners_per_year == 6  # the other settings were saved
    assert mail.outbox == []


def test_the_standard_text_in_another_language_sends_nothing(
    client, circle, coordinator, officer, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        circle.commitment_text = str(DEFAULT_COMMITMENT)
    circle.save()
    agree(officer, circle, "nl")
    with translation.override("nl"):
        dutch = str(DEFAULT_COMMITMENT)
    edit(client, coordinator, circle, django_capture_on_commit_callbacks, dutch)
    circle.refresh_from_db()
    assert circle.commitment_text == dutch
    assert mail.outbox == []


def test_one_who_agreed_to_the_standard_text_in_dutch_is_told_of_a_circles_own_text(
    circle, coordinator, officer, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        circle.commitment_text = str(DEFAULT_COMMITMENT)
    circle.save()
    agree(officer, circle, "nl")
    circle.commitment_text = NEW
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_update(circle=circle, by=coordinator)
    assert list(by_address()) == ["officer@example.org"]


def test_a_rolled_back_change_sends_nothing(
    agreed, coordinator, django_capture_on_commit_callbacks
):
    agreed.commitment_text = NEW
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture, pytest.raises(RuntimeError), transaction.atomic():
        services.circle_update(circle=agreed, by=coordinator)
        raise RuntimeError
    assert Circle.objects.get(pk=agreed.pk).commitment_text == OLD
    assert mail.outbox == []


def admin_save(client, admin_url, capture, **changes):
    """Post the admin's circle form as the page shows it (inlines included), with changes,
    pressing "Save"."""
    [form] = [f for f in forms_on(client.get(admin_url).content.decode()) if "name" in f.fields]
    values = form.values()
    for button in ("_addanother", "_continue", "_saveasnew"):
        values.pop(button, None)
    with capture(execute=True):
        response = client.post(admin_url, values | changes)
    assert response.status_code == 302, response.context and response.context["errors"]


def change_url(circle):
    return reverse("admin:circles_circle_change", args=[circle.pk])


def test_a_change_in_admin_is_told_with_the_admins_name(
    client, admin_user, agreed, django_capture_on_commit_callbacks
):
    admin_user.name = "Anna Admin"
    admin_user.save()
    client.force_login(admin_user)
    admin_save(client, change_url(agreed), django_capture_on_commit_callbacks, commitment_text=NEW)
    assert Circle.objects.get(pk=agreed.pk).commitment_text == NEW
    # The coordinator did not make this change: they are told too.
    sent = by_address()
    assert sorted(sent) == ["clerk@example.org", "coordinator@example.org", "officer@example.org"]
    assert sent["clerk@example.org"].subject == (
        "Anna Admin changed the commitment of Overvecht Allies"
    )


def test_saving_in_admin_without_a_change_to_the_text_sends_nothing(
    client, admin_user, agreed, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    admin_save(
        client, change_url(agreed), django_capture_on_commit_callbacks, description="Utrecht north."
    )
    assert Circle.objects.get(pk=agreed.pk).description == "Utrecht north."
    assert mail.outbox == []


def test_a_circle_added_in_admin_sends_nothing(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    add_url = reverse("admin:circles_circle_add")
    new = {"name": "Kanaleneiland", "municipality": "Utrecht"}
    admin_save(client, add_url, django_capture_on_commit_callbacks, **new)
    assert Circle.objects.filter(name="Kanaleneiland").exists()
    assert mail.outbox == []


def test_a_member_who_commits_to_the_new_text_is_told_of_the_next_change(
    client, agreed, coordinator, citizen, django_capture_on_commit_callbacks
):
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, NEW)
    agreed.refresh_from_db()
    agree(citizen, agreed)
    mail.outbox.clear()
    edit(client, coordinator, agreed, django_capture_on_commit_callbacks, "Something else.")
    assert list(by_address()) == ["citizen@example.org"]

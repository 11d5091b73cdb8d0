"""Who changed what and when, for meetings, memberships, actions and responses; and nothing
of theirs can be deleted in admin."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import formats, timezone

from actions.models import Action
from allies.models import User
from circles.models import Membership
from meetings import services
from meetings.models import Meeting, Response
from polls.models import Poll, PollAnswer
from polls.services import poll_pick
from tests.allies.test_dutch_pages import visible_text

pytestmark = pytest.mark.django_db


def test_a_change_in_admin_records_who_made_it(admin_client, admin_user, meeting):
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    page = admin_client.get(url)
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(
        {
            "circle": meeting.circle_id,
            "venue_name": "Town hall",
            "starts_at_0": "2030-03-05",
            "starts_at_1": "18:30:00",
            "ends_at_0": "2030-03-05",
            "ends_at_1": "21:00:00",
            "status": "confirmed",
            "kind": "dinner",
            "venue_kind": "town_hall",
        }
    )
    for prefix in ("agenda_items", "responses", "attendances"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(url, {k: v for k, v in data.items() if v != ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = meeting.history.first()
    assert latest.history_user == admin_user
    assert latest.history_type == "~"
    assert latest.venue_name == "Town hall"
    assert latest.prev_record.venue_name == "Police station"


def test_memberships_actions_and_responses_keep_a_history(circle, coordinator, citizen, meeting):
    membership = citizen.memberships.get()
    membership.end()
    action = Action.objects.create(circle=circle, title="Visit the school")
    action.owners.set([citizen])
    action.status = Action.Status.DONE
    action.save()
    answer = Response.objects.create(
        meeting=meeting, person=citizen, answer="attending", dietary_needs="halal"
    )
    answer.answer = "not_attending"
    answer.save()
    assert [h.history_type for h in membership.history.all()] == ["~", "+"]
    assert membership.history.first().left_on is not None
    # Created, owners set, done: each a row, the owners of the time with it.
    assert [h.status for h in action.history.all()] == ["done", "open", "open"]
    assert [o.user_id for o in action.history.first().owners.all()] == [citizen.pk]
    assert [h.answer for h in answer.history.all()] == ["not_attending", "attending"]


def test_the_history_holds_no_copies_of_dietary_needs(citizen, meeting):
    Response.objects.create(
        meeting=meeting, person=citizen, answer="attending", dietary_needs="halal"
    )
    historical = Response.history.model
    assert "dietary_needs" not in {f.name for f in historical._meta.get_fields()}


@pytest.mark.parametrize("model", [Meeting, Membership, Action, Response])
def test_admin_shows_the_history(admin_client, model, meeting, citizen):
    answer = Response.objects.create(meeting=meeting, person=citizen, answer="maybe")
    action = Action.objects.create(circle=meeting.circle, title="Visit the school")
    obj = {
        Meeting: meeting,
        Membership: citizen.memberships.get(),
        Action: action,
        Response: answer,
    }[model]
    info = model._meta.app_label, model._meta.model_name
    html = admin_client.get(
        reverse("admin:{}_{}_history".format(*info), args=[obj.pk])
    ).content.decode()
    assert "Added" in html or "Created" in html


@pytest.mark.parametrize("model", [Meeting, Membership, Action, User])
def test_admin_cannot_delete_them_even_as_superuser(admin_client, model, meeting, citizen):
    Action.objects.create(circle=meeting.circle, title="Visit the school")
    info = model._meta.app_label, model._meta.model_name
    listing = admin_client.get(reverse("admin:{}_{}_changelist".format(*info)))
    assert b"delete_selected" not in listing.content
    obj = model.objects.order_by("pk").first()
    delete_url = reverse("admin:{}_{}_delete".format(*info), args=[obj.pk])
    response = admin_client.post(delete_url, {"post": "yes"})
    # Back to its page, saying what is done instead (test_admin_delete.py).
    assert response.status_code == 302
    assert model.objects.filter(pk=obj.pk).exists()


def test_other_models_keep_their_delete(admin_client):
    model_admin = admin.site._registry[Response]
    assert "delete_selected" in model_admin.get_actions(
        admin_client.get(reverse("admin:index")).wsgi_request
    )


# What the history pages showed in English to an admin reading Dutch: simple-history's own
# texts, the stored value of a choice, True and False, and None for a change without a reason.
ENGLISH_ON_HISTORY_PAGES = [
    "Choose a date",
    "Created",
    "Changed",
    "None",
    "planned",
    "confirmed",
    "True",
    "False",
    "Revert",
    "Press the",
    "pk=",
]


def test_a_changed_time_reads_in_local_time(admin_client, meeting):
    later = meeting.starts_at - datetime.timedelta(minutes=30)
    services.meeting_update(meeting=meeting, changes={"starts_at": later})
    url = reverse("admin:meetings_meeting_history", args=[meeting.pk])
    text = " ".join(visible_text(admin_client.get(url).content.decode()).split())
    local = formats.localize(timezone.localtime(later))
    assert f"→ {local}" in text
    assert "+00:00" not in text


def test_the_history_pages_read_in_dutch(admin_client, admin_user, meeting, citizen):
    admin_user.preferred_language = "nl"
    admin_user.save()
    services.meeting_update(meeting=meeting, changes={"status": Meeting.Status.CONFIRMED})
    services.meeting_update(meeting=meeting, changes={"host": citizen})
    membership = citizen.memberships.get()
    membership.is_coordinator = True
    membership.save()
    urls = [
        reverse("admin:meetings_meeting_history", args=[meeting.pk]),
        reverse("admin:circles_membership_history", args=[membership.pk]),
        reverse(
            "admin:meetings_meeting_simple_history", args=[meeting.pk, meeting.history.last().pk]
        ),
    ]
    pages = [visible_text(admin_client.get(url).content.decode()) for url in urls]
    assert "Status: gepland → bevestigd" in " ".join(pages[0].split())
    # A host given to a dinner that had none: no "Deleted person (pk=None)".
    assert "Gastheer/gastvrouw: - → Citizen" in " ".join(pages[0].split())
    assert "Coördinator: nee → ja" in " ".join(pages[1].split())
    for url, text in zip(urls, pages, strict=True):
        assert [word for word in ENGLISH_ON_HISTORY_PAGES if word in text] == [], url


def read_dutch(client, admin_user, url) -> str:
    """The page's visible text as a Dutch admin reads it, its white space made single spaces."""
    admin_user.preferred_language = "nl"
    admin_user.save()
    return " ".join(visible_text(client.get(url).content.decode()).split())


def test_a_commitment_reads_whole_with_its_dates_and_nothing_before_it(
    admin_client, admin_user, citizen
):
    membership = citizen.memberships.get()
    text = (
        "Als bondgenoot doe ik mee aan de diners van de kring, vijf keer per jaar. Ik deel wat"
        " ik zie in mijn buurt. Tussen de diners houd ik contact met de andere bondgenoten, in"
        " rustige tijden en als het onrustig is. En ik voer de actiepunten uit die ik op me neem."
    )
    membership.commitment_agreed_text = text
    membership.committed_on = datetime.date(2026, 5, 7)
    membership.save()
    url = reverse("admin:circles_membership_history", args=[membership.pk])
    page = read_dutch(admin_client, admin_user, url)
    # The empty text it had before reads as the empty date does: admin's "-", not nothing.
    assert f"Toegezegde tekst: - → {text}" in page
    assert "Toegezegd op: - → 7 mei 2026" in page


def test_a_commitment_carried_into_a_new_membership_says_so_in_the_readers_language(
    admin_client, admin_user, circle, citizen
):
    earlier = citizen.memberships.get()
    earlier.commit()
    earlier.end()
    membership = Membership.objects.create(person=citizen, circle=circle, sector="community")
    url = reverse("admin:circles_membership_history", args=[membership.pk])
    page = read_dutch(admin_client, admin_user, url)
    assert "Toezegging overgenomen van het eerdere lidmaatschap" in page
    assert "Commitment carried" not in page


def test_long_minutes_read_in_whole_words_around_the_change(admin_client, admin_user, meeting):
    words = [f"punt{n}" for n in range(300)]
    meeting.minutes = " ".join(words)
    meeting.save()
    meeting.minutes = meeting.minutes.replace("punt200", "besluit")
    meeting.save()
    url = reverse("admin:meetings_meeting_history", args=[meeting.pk])
    page = read_dutch(admin_client, admin_user, url)
    # From a few words before the first difference, with "…" where a part is left out.
    old = " ".join(words[190:270])
    new = old.replace("punt200", "besluit")
    assert f"Verslag: …{old}… → …{new}…" in page
    assert "chars]" not in page


def test_the_owners_read_as_a_list_of_names(admin_client, admin_user, meeting, citizen, clerk):
    action = Action.objects.create(circle=meeting.circle, title="Visit the school")
    action.owners.set([citizen, clerk])
    action.owners.set([clerk])
    url = reverse("admin:actions_action_history", args=[action.pk])
    page = read_dutch(admin_client, admin_user, url)
    assert "Eigenaren: - → Citizen, Clerk" in page
    assert "Eigenaren: Citizen, Clerk → Clerk" in page


def test_an_answer_carried_over_from_a_date_poll_says_so_in_the_readers_language(
    admin_client, admin_user, circle, citizen
):
    poll = Poll.objects.create(circle=circle, venue_name="Politiebureau")
    option = poll.options.create(starts_at=timezone.now() + datetime.timedelta(days=14))
    option.answers.create(person=citizen, answer=PollAnswer.Answer.YES)
    meeting = poll_pick(poll=poll, option=option)
    answer = meeting.responses.get(person=citizen)
    url = reverse("admin:meetings_response_history", args=[answer.pk])
    page = read_dutch(admin_client, admin_user, url)
    assert "Overgenomen uit de datumprikker" in page
    assert "Carried over" not in page

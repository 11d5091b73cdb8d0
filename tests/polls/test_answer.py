"""Answering a poll (POST /polls/<id>/answer/): yes, if need be or no per date, changeable until
the poll closes."""

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from polls import services
from polls.models import PollAnswer
from tests.error_summary import link, summary
from tests.polls.conftest import answer, local
from tests.polls.test_detail import checked

URL = "/polls/{}/answer/"


def data(poll, *answers):
    options = poll.options.order_by("starts_at")
    return {f"option_{o.pk}": a for o, a in zip(options, answers, strict=False) if a is not None}


def mine(poll, person) -> list[str]:
    return list(
        PollAnswer.objects.filter(option__poll=poll, person=person)
        .order_by("option__starts_at")
        .values_list("answer", flat=True)
    )


def test_a_member_answers_each_date(client, poll, citizen):
    client.force_login(citizen)
    response = client.post(URL.format(poll.pk), data(poll, "yes", "if_need_be", "no"))
    assert response.status_code == 302
    assert response.url == f"/polls/{poll.pk}/"
    assert mine(poll, citizen) == ["yes", "if_need_be", "no"]
    html = client.get(response.url).content.decode()
    assert "Your answers are saved." in html
    assert "1 of 4 members answered." in html


def test_answers_can_change_while_the_poll_is_open(client, poll, citizen):
    answer(poll, citizen, "yes", "yes", "yes")
    client.force_login(citizen)
    client.post(URL.format(poll.pk), data(poll, "no", "yes", "if_need_be"))
    assert mine(poll, citizen) == ["no", "yes", "if_need_be"]
    assert PollAnswer.objects.count() == 3


def test_a_missing_answer_brings_the_form_back_with_the_others_kept(client, poll, citizen):
    client.force_login(citizen)
    response = client.post(URL.format(poll.pk), data(poll, "yes", None, "no"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose an answer for this date." in html
    first, _second, third = poll.options.order_by("starts_at")
    assert checked(html, f"option_{first.pk}") == ["yes"]
    assert checked(html, f"option_{third.pk}") == ["no"]
    assert mine(poll, citizen) == []


def test_an_unknown_answer_is_refused(client, poll, citizen):
    client.force_login(citizen)
    response = client.post(URL.format(poll.pk), data(poll, "yes", "maybe", "no"))
    assert "Select a valid choice." in response.content.decode()
    assert mine(poll, citizen) == []


def test_a_closed_poll_takes_no_more_answers(client, poll, citizen):
    answer(poll, citizen, "yes", "yes", "yes")
    poll.closed_at = timezone.now()
    poll.save()
    client.force_login(citizen)
    response = client.post(URL.format(poll.pk), data(poll, "no", "no", "no"), follow=True)
    assert "This poll is closed; answers can no longer change." in response.content.decode()
    assert mine(poll, citizen) == ["yes", "yes", "yes"]


def test_a_poll_whose_dates_have_all_passed_takes_no_more_answers(client, poll, citizen, clock):
    answer(poll, citizen, "yes", "yes", "yes")
    clock.move_to(local(2027, 3, 25, 19), tick=False)
    client.force_login(citizen)
    response = client.post(URL.format(poll.pk), data(poll, "no", "no", "no"), follow=True)
    assert response.redirect_chain == [(f"/polls/{poll.pk}/", 302)]
    html = response.content.decode()
    assert "Every date of this poll has passed; answers can no longer change." in html
    assert "Your answers are saved." not in html
    assert mine(poll, citizen) == ["yes", "yes", "yes"]


def test_a_date_gone_by_is_not_asked_about_nor_answered(client, poll, citizen, clock):
    clock.move_to(local(2027, 3, 12, 9), tick=False)  # the first Thursday has passed
    gone, *ahead = poll.options.order_by("starts_at")
    client.force_login(citizen)
    html = client.get(f"/polls/{poll.pk}/").content.decode()
    assert f'name="option_{gone.pk}"' not in html
    assert all(f'name="option_{option.pk}"' in html for option in ahead)
    # The dates ahead answered, that gone by not: saved all the same.
    response = client.post(URL.format(poll.pk), data(poll, None, "yes", "no"))
    assert response.status_code == 302
    assert mine(poll, citizen) == ["yes", "no"]
    # A form loaded before it passed cannot answer it now.
    client.post(URL.format(poll.pk), data(poll, "yes", "if_need_be", "no"))
    assert mine(poll, citizen) == ["if_need_be", "no"]
    assert not PollAnswer.objects.filter(option=gone).exists()


def test_get_is_not_allowed(client, poll, citizen):
    client.force_login(citizen)
    assert client.get(URL.format(poll.pk)).status_code == 405


def test_outsider_gets_404(client, poll, outsider):
    client.force_login(outsider)
    assert client.post(URL.format(poll.pk), data(poll, "yes", "yes", "yes")).status_code == 404
    assert not PollAnswer.objects.exists()


def test_anonymous_is_sent_to_sign_in(client, poll):
    response = client.post(URL.format(poll.pk))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_missing_answer_opens_on_the_error_summary_with_a_link_to_its_date(client, poll, citizen):
    # The form sits below the tally of every date: a screen or more down on a phone.
    client.force_login(citizen)
    html = client.post(URL.format(poll.pk), data(poll, "yes", None, "no")).content.decode()
    second = poll.options.order_by("starts_at")[1]
    expected = "Thursday 18 March 2027, 18:30: Choose an answer for this date."
    assert link(f"id_option_{second.pk}_0", expected) in summary(html, level=3)
    assert f'id="id_option_{second.pk}_0"' in html
    assert mine(poll, citizen) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writes one at a time")
@pytest.mark.django_db(transaction=True)
def test_an_answer_sent_while_a_date_is_picked_waits_for_the_pick_and_is_refused(poll, cast):
    """Without the wait it was saved on the poll just closed, and not carried to its meeting."""
    option = poll.options.order_by("starts_at").first()
    outcome = []

    def answer_meanwhile():
        try:
            services.poll_answer(poll=poll, person=cast["citizen"], answers={option: "yes"})
            outcome.append("saved")
        except services.PollClosedError:
            outcome.append("refused")
        finally:
            connection.close()  # this thread's

    with transaction.atomic():
        services.poll_pick(poll=poll, option=option)
        answering = threading.Thread(target=answer_meanwhile)
        answering.start()
        answering.join(timeout=1)
        assert answering.is_alive()  # waiting for the pick to commit
    answering.join()
    assert outcome == ["refused"]
    assert not PollAnswer.objects.filter(person=cast["citizen"]).exists()

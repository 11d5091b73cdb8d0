"""Migration polls 0004: the answers to open polls of those who left the circle before leaving
withdrew them are withdrawn; closed polls and current members keep theirs."""

import importlib

from django.apps import apps
from django.utils import timezone

from circles.models import Membership
from polls.models import PollAnswer
from tests.polls.conftest import answer, polls_answered_by

migration = importlib.import_module("polls.migrations.0004_withdraw_leavers_open_answers")


def test_answers_of_who_left_to_open_polls_go(circle, other_circle, cast):
    citizen, officer = cast["citizen"], cast["officer"]
    poll, closed, elsewhere = polls_answered_by(citizen, circle, other_circle)
    answer(poll, officer, "yes", "yes")
    # The citizen left the circle as before leaving withdrew the answers to open polls.
    Membership.objects.filter(person=citizen, circle=circle).update(left_on=timezone.localdate())

    migration.withdraw_leavers_open_answers(apps, None)

    kept = set(PollAnswer.objects.values_list("person__username", "option__poll"))
    assert kept == {
        ("citizen", closed.pk),
        ("citizen", elsewhere.pk),
        ("officer", poll.pk),
    }
    assert PollAnswer.objects.count() == 6  # two dates each

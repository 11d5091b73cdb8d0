import datetime

import time_machine


def url(circle):
    return f"/circles/{circle.pk}/commit/"


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.post(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.post(url(circle)).status_code == 404
    assert not outsider.memberships.filter(committed_on__isnull=False).exists()


def test_get_is_not_allowed(client, circle, citizen):
    client.force_login(citizen)
    assert client.get(url(circle)).status_code == 405
    assert citizen.memberships.get().committed_on is None


@time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC))
def test_a_member_commits_for_one_year(client, circle, citizen, officer):
    client.force_login(citizen)
    response = client.post(url(circle), follow=True)
    assert response.redirect_chain[-1][0] == f"/circles/{circle.pk}/"
    html = response.content.decode()
    assert "Thank you for your commitment. It runs until 10 March 2027." in html
    assert "your commitment runs until 10 March 2027" in html
    membership = citizen.memberships.get()
    assert membership.committed_on == datetime.date(2026, 3, 10)
    assert membership.commitment_until == datetime.date(2027, 3, 10)
    assert officer.memberships.get().committed_on is None


def test_committing_again_renews_the_term(client, circle, citizen):
    membership = citizen.memberships.get()
    membership.commit(today=datetime.date(2025, 4, 1))
    client.force_login(citizen)
    with time_machine.travel(datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC)):
        client.post(url(circle))
    membership.refresh_from_db()
    assert membership.committed_on == datetime.date(2026, 3, 20)
    assert membership.commitment_until == datetime.date(2027, 3, 20)


def test_a_member_who_left_gets_404(client, circle, citizen):
    citizen.memberships.get().end()
    client.force_login(citizen)
    assert client.post(url(circle)).status_code == 404
    assert citizen.memberships.get().committed_on is None

import datetime

import time_machine

URL = "/accounts/profile/phone-consent/"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.post(URL, {"share": "yes"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_get_is_not_allowed(client, citizen):
    client.force_login(citizen)
    assert client.get(URL).status_code == 405


@time_machine.travel(datetime.datetime(2026, 4, 2, 10, tzinfo=datetime.UTC), tick=False)
def test_one_click_shares_my_number_and_stores_when(client, circle, citizen, officer):
    client.force_login(citizen)
    response = client.post(URL, {"share": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/profile/"
    html = response.content.decode()
    assert "The members of your circles can now see your phone number." in html
    assert "Since 2 April 2026" in html
    assert 'name="share" value="no"' in html
    citizen.refresh_from_db()
    assert citizen.phone_shared_at == datetime.datetime(2026, 4, 2, 10, tzinfo=datetime.UTC)
    client.force_login(officer)
    assert 'href="tel:+31612345004"' in client.get(f"/circles/{circle.pk}/").content.decode()


def test_one_click_withdraws_it(client, circle, officer, citizen):
    client.force_login(officer)
    response = client.post(URL, {"share": "no"}, follow=True)
    assert "Your phone number is hidden from other members again." in response.content.decode()
    officer.refresh_from_db()
    assert officer.phone_shared_at is None
    client.force_login(citizen)
    assert "12345002" not in client.get(f"/circles/{circle.pk}/").content.decode()


def test_there_is_nothing_to_share_without_a_number(client, citizen):
    citizen.phone = ""
    citizen.save()
    client.force_login(citizen)
    response = client.post(URL, {"share": "yes"}, follow=True)
    assert "Add your phone number first, then share it." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.phone_shared_at is None


def test_a_bad_choice_changes_nothing(client, officer):
    shared_at = officer.phone_shared_at
    client.force_login(officer)
    assert client.post(URL, {"share": "maybe"}).status_code == 400
    assert client.post(URL).status_code == 400
    officer.refresh_from_db()
    assert officer.phone_shared_at == shared_at

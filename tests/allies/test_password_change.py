from tests.conftest import PASSWORD

URL = "/accounts/password_change/"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_it_is_styled_like_the_site(client, citizen):
    client.force_login(citizen)
    html = client.get(URL).content.decode()
    assert "Change my password" in html
    assert 'href="/accounts/profile/"' in html
    assert "Django administration" not in html


def test_it_changes_the_password(client, citizen):
    client.force_login(citizen)
    new = "dinner at the town hall"
    response = client.post(
        URL,
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "Your new password works from now on." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(new)


def test_it_keeps_me_on_the_form_with_a_wrong_old_password(client, citizen):
    client.force_login(citizen)
    new = "dinner at the town hall"
    response = client.post(
        URL, {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert "Your old password was entered incorrectly." in response.content.decode()
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)

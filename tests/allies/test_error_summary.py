"""The profile and password forms sent back with errors open on their error summary
({% error_summary %}, static/js/error-summary.js), as every form of the site does. The sign-in
form does not: Django puts the focus in its username, and two things would compete for it."""

import pytest

from tests.allies.test_password_reset_confirm import set_password_page
from tests.conftest import PASSWORD
from tests.error_summary import link, summary

NEW_PASSWORD = "a long new password for the test"

FORMS = {
    "profile": (
        "/accounts/profile/",
        {"phone": "call me"},
        link(
            "id_phone",
            "Phone number: Enter a valid phone number (e.g. 010 123 4567) or a number with an "
            "international call prefix.",
        ),
        3,  # under the page's "My details"
    ),
    "password change": (
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        link(
            "id_old_password",
            "Old password: Your old password was entered incorrectly. Please enter it again.",
        ),
        2,
    ),
    "password reset": (
        "/accounts/password_reset/",
        {"email": "citizen@"},
        link("id_email", "Email: Enter a valid email address."),
        2,
    ),
    "password reset confirm": (
        None,  # the page its emailed link leads to, signed out
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "!"},
        link(
            "id_new_password2",
            "New password confirmation: The two password fields didn\u2019t match.",
        ),
        2,
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_the_form_opens_on_a_summary_linking_to_each_error(client, citizen, name):
    url, data, expected, level = FORMS[name]
    if url is None:
        url = set_password_page(client, citizen).redirect_chain[-1][0]
    else:
        client.force_login(citizen)
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert expected in summary(html, level)
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD) and citizen.phone == "+31612345004"


def test_the_current_password_takes_the_focus_only_on_the_form_shown_first(client, citizen):
    client.force_login(citizen)
    assert "autofocus" in client.get("/accounts/password_change/").content.decode()
    response = client.post("/accounts/password_change/", {"old_password": "wrong"})
    # Sent back with errors, the summary takes it (error-summary.js).
    assert "There is a problem" in response.content.decode()
    assert "autofocus" not in response.content.decode()

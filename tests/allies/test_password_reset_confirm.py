"""Choosing a password from an emailed link (/accounts/reset/<uidb64>/<token>/, which Django
moves to /accounts/reset/<uidb64>/set-password/): how a person invited to a circle first
signs in, so the page says each rule once and in the site's own words."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode


def set_password_page(client, person):
    """The set-password page of the person's link, and its address."""
    uid = urlsafe_base64_encode(force_bytes(person.pk))
    token = default_token_generator.make_token(person)
    response = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    assert response.redirect_chain[-1][0] == f"/accounts/reset/{uid}/set-password/"
    return response


def test_it_states_the_common_password_rule_once(client, citizen):
    html = set_password_page(client, citizen).content.decode()
    assert html.count("common") == 1
    assert "be a common password, padded or repeated." in html

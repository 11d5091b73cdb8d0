"""Password rules after NIST SP 800-63B-4: long allowed, common refused, no composition rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from allies.models import User


def errors(password, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


def test_a_long_passphrase_is_welcome():
    assert errors("paarse olifanten dansen op de dijk bij Zwolle " * 5) == []


def test_no_composition_rules():
    # Lower case only, digits only: fine when long and not common.
    assert errors("vijftien letters lang") == []
    assert errors("839201748392017") == []
    assert errors("welkom bij de bondgenoten van Zwolle") == []


def test_too_short_is_refused():
    assert any("at least 15 characters" in e for e in errors("kort-maar-fijn"))


@pytest.mark.parametrize(
    "password",
    [
        "passwordpassword",
        "password12345678",
        "!!Welkom2026!!!!",
        "Bondgenoten2026!",
        "123456789012345",
        "aaaaaaaaaaaaaaaa",
        "abcabcabcabcabcabc",
        "qwerty123456789!",
        # On Django's list as it is, though neither padded nor repeated.
        "1qaz2wsx3edc4rfv",
    ],
)
def test_common_padded_or_repeated_passwords_are_refused(password):
    assert any("too easy to guess" in e for e in errors(password)), password


def test_a_common_password_is_refused_once_not_twice():
    assert errors("qwerty123456789") == [
        "This password is too easy to guess: a common word or password, padded or repeated. "
        "A few unrelated words make a strong one."
    ]


def test_a_password_like_the_persons_name_is_refused():
    user = User(username="fatima.bouali", name="Fatima Bouali", email="fatima.bouali@example.nl")
    assert any("too similar" in e for e in errors("fatima.bouali@example", user))


@pytest.mark.django_db
def test_the_set_password_form_shows_the_rules(client):
    from django.contrib.auth.forms import SetPasswordForm

    form = SetPasswordForm(User(username="x"), {"new_password1": "short", "new_password2": "short"})
    assert not form.is_valid()
    assert "at least 15 characters" in str(form.errors)

"""The security log ("allies.security") and the client address behind a trusted proxy.

What is logged: sign-ins, sign-outs, failed sign-ins, lockouts, refused CSRF checks, and the
403 and 404 answers of views (a permission helper refusing a person). What never is: passwords,
session or calendar tokens, query strings, and names typed into the username field that match
no account (people type their password there).
"""

import ipaddress
import logging

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.shortcuts import render

log = logging.getLogger("allies.security")

# URL parameters that are secrets: they open something without signing in.
SECRET_URL_PARAMETERS = {"token", "uidb64"}


class SignInThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins that come with a request (the sign-in page,
    the admin's): those are the ones a stranger can repeat. Code that authenticates without a
    request (the shell, a management command, tests calling authenticate() or
    client.login()) has no client to throttle and passes on to the password check; axes
    itself would raise there. A page that signs people in must pass its request on, as
    Django's LoginView does; tests/allies/test_sign_in_throttle.py proves it for ours."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def clear_failures(request, user) -> None:
    """Forget the failures counted against this person from this client's address, as
    django-axes does when they sign in (AXES_RESET_ON_SUCCESS): under each name that signs in
    as them (the username and the email address, as axes counts a typed name, in lower case).
    For a page that checks the password of someone already signed in: axes counts a wrong one
    there, but a right one is no sign-in to it, so someone who mistyped and then got it right
    would be paused sooner the next time, at sign-in too. From an address that cannot be read
    it forgets nothing: axes would take that as every address, an attacker's too."""
    address = client_ip(request)
    if not settings.AXES_RESET_ON_SUCCESS or address is None:
        return
    for name in {user.get_username().lower(), user.email.lower()} - {""}:
        AxesProxyHandler.reset_attempts(ip_address=address, username=name)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or with TRUSTED_PROXY = N proxies in front, the
    address the outermost trusted proxy saw, the N-th from the right of X-Forwarded-For
    (each proxy appends the address it got the request from; anything further left was
    sent by the client and can be forged)."""
    address = request.META.get("REMOTE_ADDR")
    if settings.TRUSTED_PROXY:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= settings.TRUSTED_PROXY:
            address = forwarded[-settings.TRUSTED_PROXY]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def safe_path(request) -> str:
    """The request path with secret URL parameters (calendar tokens, reset links) masked."""
    match = getattr(request, "resolver_match", None)
    path = request.path
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_PARAMETERS and value:
                path = path.replace(str(value), "***")
    return path[:300]


def client_username(request, credentials: dict | None) -> str:
    """The username a sign-in tried, as django-axes counts it: in lower case, as the account
    it names is found whatever the case."""
    field = get_user_model().USERNAME_FIELD
    typed = (credentials or {}).get(field) or getattr(request, "POST", {}).get(field) or ""
    return typed.lower()


def _who(user) -> str:
    return f"user={user.pk}:{user.get_username()!r}" if user and user.pk else "user=anonymous"


def _known_username(credentials: dict) -> str:
    """The attempted username if it names an account; otherwise a placeholder, because a
    failed sign-in's "username" is sometimes the password typed in the wrong field."""
    username = credentials.get(get_user_model().USERNAME_FIELD) or ""
    people = get_user_model()._default_manager
    try:
        return repr(people.get_by_natural_key(username).get_username()) if username else _NOBODY
    except people.model.DoesNotExist:
        return _NOBODY


_NOBODY = "<no such account>"


@receiver(user_logged_in)
def log_sign_in(sender, request, user, **kwargs):
    log.info("sign-in %s ip=%s", _who(user), client_ip(request) if request else None)


@receiver(user_logged_out)
def log_sign_out(sender, request, user, **kwargs):
    log.info("sign-out %s ip=%s", _who(user), client_ip(request) if request else None)


@receiver(user_login_failed)
def log_failed_sign_in(sender, credentials, request=None, **kwargs):
    log.warning(
        "sign-in failed username=%s ip=%s",
        _known_username(credentials),
        client_ip(request) if request else None,
    )


@receiver(user_locked_out)
def log_lockout(sender, request, username, ip_address, **kwargs):
    log.warning(
        "sign-in locked out username=%s ip=%s for %s",
        _known_username({get_user_model().USERNAME_FIELD: username}),
        ip_address,
        settings.AXES_COOLOFF_TIME,
    )


def cooloff_minutes() -> int:
    """How long a lockout lasts, in whole minutes, as the pages tell it."""
    return max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: 429, how long to wait, and a way to reset.

    A page that checks a password of someone already signed in (the profile, for a new email
    address) says so itself, next to the field, and answers 429: that answer is kept."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    return render(
        request, "registration/locked_out.html", {"minutes": cooloff_minutes()}, status=429
    )


def log_refused(request, status: int, reason: str):
    """One line for a refused access: who, what, and why."""
    log.warning(
        "refused %s %s %s %s ip=%s reason=%s",
        status,
        request.method,
        safe_path(request),
        _who(getattr(request, "user", None)),
        client_ip(request),
        reason,
    )

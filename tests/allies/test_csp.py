"""A Content Security Policy on every page, strict enough to refuse any inline code."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: (part[1] if len(part) > 1 else "") for part in parts}


def test_the_policy_refuses_inline_code_plugins_base_and_framing(client):
    policy = directives(client.get(reverse("login")))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in " ".join(policy.values())
    assert "unsafe-eval" not in " ".join(policy.values())


@pytest.mark.parametrize(
    "url",
    ["/accounts/login/", "/", "/no-such-page/", "/admin/", "/admin/meetings/meeting/"],
)
def test_every_kind_of_page_sends_it(admin_client, url):
    response = admin_client.get(url)
    assert "'none'" in response["Content-Security-Policy"], url


def test_our_pages_have_no_inline_script_or_style(client, coordinator):
    client.force_login(coordinator)
    for url in ["/", "/accounts/login/", "/no-such-page/"]:
        html = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert "<style" not in html, url
        assert " style=" not in html, url
        assert not re.search(r"\son[a-z]+=", html), url


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/meetings/meeting/",
        "/admin/circles/membership/",
        "/admin/actions/action/",
        "/admin/allies/user/",
        "/admin/meetings/meeting/{meeting}/change/",
        "/admin/meetings/meeting/{meeting}/history/",
    ],
)
def test_admin_pages_keep_within_the_policy(admin_client, meeting, url):
    meeting.cancel()  # a history entry to list
    html = admin_client.get(url.format(meeting=meeting.pk)).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
    assert "<style" not in html, url
    assert " style=" not in html, url

"""The privacy statement: what the site does with personal data, readable by anyone, signed in
or not, naming the organisation responsible and its contact from the settings."""

import pytest
from django.core.checks import run_checks
from django.urls import reverse

URL = "/privacy/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled_in(settings):
    settings.PRIVACY_CONTROLLER = "Gemeente Utrecht"
    settings.PRIVACY_CONTACT = "privacy@utrecht.example"


def test_anyone_can_read_it_without_signing_in(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "How Allies handles your personal data" in html
    assert reverse("privacy_statement") == URL


def test_a_member_reads_it_too(client, citizen):
    client.force_login(citizen)
    assert "How Allies handles your personal data" in client.get(URL).content.decode()


def test_a_post_is_refused(client):
    assert client.post(URL).status_code == 405


def test_it_names_the_organisation_and_its_contact(client, filled_in):
    html = client.get(URL).content.decode()
    assert "<strong>Gemeente Utrecht</strong> runs this site and is responsible" in html
    assert '<a href="mailto:privacy@utrecht.example">privacy@utrecht.example</a>' in html
    assert "has not filled in" not in html
    # Erasure is asked for there, not of the coordinator.
    assert "To have your account erased, email" in html
    assert "ask the coordinator of your circle" not in html


def test_unset_it_says_the_organisation_has_not_filled_it_in(client, settings):
    settings.PRIVACY_CONTROLLER = settings.PRIVACY_CONTACT = ""
    html = client.get(URL).content.decode()
    assert "The organisation that runs this site has not filled in its name here yet." in html
    assert "has not filled in an email address for questions about your data yet" in html
    assert "To have your account erased, ask the coordinator of your circle." in html
    assert "mailto:" not in html


def test_it_says_what_the_site_does(client, settings):
    settings.DIETARY_NEEDS_RETENTION_DAYS = 14
    settings.CONTACT_DETAILS_RETENTION_DAYS = 200
    settings.SIGN_IN_RETENTION_DAYS = 60
    html = client.get(URL).content.decode()
    assert "they are erased 14 days after the dinner" in html
    assert "dietary needs are erased 200 days later" in html
    assert "erases its records of sign-ins and failed attempts 60 days later" in html
    assert "only you and the coordinators of the circle" in html
    assert "Your phone number only if you share it on your profile page" in html
    assert "Every sign-in is recorded: when, from which internet address" in html
    assert 'href="/accounts/profile/#my-data"' in html
    # What leaving a circle withdraws (circles.services.membership_end), and what stays.
    assert (
        "When you leave a circle, your answers to its meetings still ahead and to its date"
        " polls still open are withdrawn. Your answers to its meetings gone by and to its"
        " closed date polls, whether you came, your actions and the minutes stay as the"
        " circle's history"
    ) in html
    # What erasing does, and does not.
    assert "replaces your full name, username, email address and phone number" in html
    assert "can still mention you by your first name or a nickname" in html
    assert (
        "Your answers to meetings still ahead and to date polls still open are withdrawn; your"
        " other answers, whether you came and your actions stay, without your name"
    ) in html
    # The anchors the help texts and the profile link to.
    assert 'id="dietary-needs"' in html and 'id="erasure"' in html


def test_it_reads_in_dutch(client, filled_in):
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert 'lang="nl"' in html
    assert "Hoe Bondgenoten met je persoonsgegevens omgaat" in html
    assert "<strong>Gemeente Utrecht</strong> beheert deze site" in html
    assert '<a href="mailto:privacy@utrecht.example">privacy@utrecht.example</a>' in html
    assert "worden ze 30 dagen na het diner gewist" in html
    assert "na 90 dagen" in html
    assert (
        "Ga je uit een kring, dan vervallen je antwoorden voor de komende bijeenkomsten van de"
        " kring en voor de datumprikkers die nog openstaan."
    ) in html


def test_in_dutch_unset_it_says_so_too(client, settings):
    settings.PRIVACY_CONTROLLER = settings.PRIVACY_CONTACT = ""
    html = client.get(URL, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "heeft hier nog niet ingevuld wie ze is" in html
    assert "Vraag het dan aan de coördinator van je kring." in html


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
def test_every_page_links_to_it_in_its_footer(client, citizen, signed_in):
    if signed_in:
        client.force_login(citizen)
    page = reverse("dashboard") if signed_in else reverse("login")
    html = client.get(page).content.decode()
    footer = html[html.index("<footer") : html.index("</footer>")]
    assert f'<a href="{URL}">Privacy statement</a>' in footer


def test_production_is_warned_until_both_are_filled_in(settings):
    settings.PRIVACY_CONTROLLER = settings.PRIVACY_CONTACT = ""
    warnings = {w.id: w.msg for w in run_checks(include_deployment_checks=True)}
    assert warnings["allies.W002"].startswith("PRIVACY_CONTROLLER is not set")
    assert warnings["allies.W003"].startswith("PRIVACY_CONTACT is not set")
    settings.PRIVACY_CONTROLLER = "Gemeente Utrecht"
    settings.PRIVACY_CONTACT = "privacy@utrecht.example"
    ids = {w.id for w in run_checks(include_deployment_checks=True)}
    assert not ids & {"allies.W002", "allies.W003"}

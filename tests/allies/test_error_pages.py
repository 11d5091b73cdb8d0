"""Error pages in the site's style; the 500 page needs no request and no database."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views import defaults

from tests.conftest import make_meeting, make_person


@pytest.mark.django_db
def test_a_missing_page_answers_404_in_the_site_style(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "This page does not exist" in html
    assert 'class="navbar' in html


@pytest.mark.django_db
def test_403_page_explains_who_may_change_it(rf):
    response = defaults.permission_denied(rf.get("/"), PermissionDenied())
    assert response.status_code == 403
    html = response.content.decode()
    assert "You may not do this" in html
    # also said on pages that show nothing to others, such as the year planner
    assert "Only a coordinator of the circle, or the person it belongs to, may do this." in html


def test_a_refusal_in_admin_speaks_of_the_rights_there(client, circle):
    """Admins who may see a meeting are told on its page why it is not deleted
    (test_admin_delete.py); staff who may not see it are refused, in admin's terms."""
    meeting = make_meeting(circle)
    client.force_login(make_person("helpdesk", is_staff=True))
    response = client.get(f"/admin/meetings/meeting/{meeting.pk}/delete/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Your account does not have the right to do this in the administration." in html
    assert "Only a coordinator of the circle" not in html


@pytest.mark.django_db
def test_400_page(rf):
    response = defaults.bad_request(rf.get("/"), Exception())
    assert response.status_code == 400
    assert "Something in that request was not right" in response.content.decode()


def test_500_page_renders_without_a_request_or_database(django_db_blocker):
    with django_db_blocker.block():
        html = render_to_string("500.html")
        response = defaults.server_error(RequestFactory().get("/"))
    assert "Something went wrong on our side" in html
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert "bootstrap.min.css" in html


@pytest.mark.django_db
def test_a_refused_form_post_gets_the_expired_form_page(client):
    client.handler.enforce_csrf_checks = True
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()

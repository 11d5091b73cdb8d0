"""Each circle form sent back with errors opens on its error summary ({% error_summary %},
static/js/error-summary.js), as every form of the site does."""

import pytest

from circles.models import Circle, Invitation, Membership
from tests.error_summary import link, summary

FORMS = {
    "invite": (
        lambda circle, membership: f"/circles/{circle.pk}/members/invite/",
        {"name": "Fatima", "email": "fatima@", "sector": "community"},
        link("id_email", "Email address: Enter a valid email address."),
    ),
    "edit": (
        lambda circle, membership: f"/circles/{circle.pk}/edit/",
        {"whatsapp_link": "https://example.com/AbCdEf1234567890GhIjKl"},
        link(
            "id_whatsapp_link",
            "WhatsApp group link: Enter a WhatsApp group invite link: https://chat.whatsapp.com/ "
            "and its code.",
        ),
    ),
    "membership edit": (
        lambda circle, membership: f"/circles/{circle.pk}/members/{membership.pk}/edit/",
        {"sector": "police"},  # the only coordinator gives up the role
        link(
            "id_is_coordinator",
            "Coordinator: Coordinator is the circle&#x27;s only coordinator. "
            "Make someone else coordinator first.",
        ),
    ),
}


@pytest.mark.parametrize("name", FORMS)
def test_the_form_opens_on_a_summary_linking_to_each_error(client, circle, coordinator, name):
    page, data, expected = FORMS[name]
    client.force_login(coordinator)
    membership = coordinator.memberships.get()
    before = list(Circle.objects.values()), list(Membership.objects.values())
    response = client.post(page(circle, membership), data)
    assert response.status_code == 200
    assert expected in summary(response.content.decode())
    assert (list(Circle.objects.values()), list(Membership.objects.values())) == before
    assert not Invitation.objects.exists()

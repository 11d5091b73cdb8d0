import vobject

from circles.models import Membership, Sector
from tests.conftest import count_queries, make_person


def url(circle):
    return f"/circles/{circle.pk}/contacts.vcf"


def cards(response):
    return list(vobject.readComponents(response.content.decode()))


def test_anonymous_is_sent_to_sign_in(client, circle):
    response = client.get(url(circle))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_outsider_gets_404(client, circle, outsider):
    client.force_login(outsider)
    assert client.get(url(circle)).status_code == 404


def test_it_holds_the_members_who_share_their_number(client, circle, cast):
    cast["officer"].organisation = "Politie Utrecht"
    cast["officer"].save()
    client.force_login(cast["citizen"])
    response = client.get(url(circle))
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="overvecht-allies-contacts.vcf"'
    by_name = {card.fn.value: card for card in cards(response)}
    assert set(by_name) == {"Officer", "Clerk"}
    assert by_name["Officer"].tel.value == "+31612345002"
    assert by_name["Officer"].org.value == ["Politie Utrecht"]
    assert by_name["Clerk"].tel.value == "+31612345003"


def test_numbers_without_consent_are_absent(client, circle, cast):
    client.force_login(cast["coordinator"])
    text = client.get(url(circle)).content.decode()
    assert "Citizen" not in text and "12345004" not in text
    assert "Coordinator" not in text and "12345001" not in text
    assert "12345005" not in text  # the outsider, in another circle


def test_members_who_left_are_absent(client, circle, cast):
    cast["clerk"].memberships.get().end()
    client.force_login(cast["citizen"])
    text = client.get(url(circle)).content.decode()
    assert "12345003" not in text


def test_it_holds_no_email_addresses_or_dietary_needs(client, circle, cast):
    cast["officer"].dietary_needs = "vegan"
    cast["officer"].save()
    client.force_login(cast["citizen"])
    text = client.get(url(circle)).content.decode()
    assert "@example.org" not in text
    assert "vegan" not in text


def test_an_empty_file_when_nobody_shares(client, circle, coordinator, citizen):
    client.force_login(citizen)
    response = client.get(url(circle))
    assert response.status_code == 200
    assert response.content == b""


def test_query_count_does_not_grow(client, circle, cast):
    client.force_login(cast["citizen"])
    few = count_queries(client, url(circle))
    for n in range(57):
        person = make_person(f"member{n}", phone=f"+316123460{n:02}")
        person.share_phone()
        Membership.objects.create(person=person, circle=circle, sector=Sector.COMMUNITY)
    assert len(cards(client.get(url(circle)))) == 59
    assert count_queries(client, url(circle)) == few

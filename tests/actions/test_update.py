import pytest

from actions.models import Action, ActionUpdate
from tests.error_summary import link, summary


@pytest.fixture
def lights(circle, cast):
    made = Action.objects.create(circle=circle, title="Ask for street lights")
    made.owners.set([cast["clerk"], cast["citizen"]])
    return made


def url(action):
    return f"/actions/{action.pk}/update/"


def test_anonymous_is_sent_to_sign_in(client, lights):
    response = client.post(url(lights), {"text": "x"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert not ActionUpdate.objects.exists()


def test_get_is_not_allowed(client, lights, cast):
    client.force_login(cast["clerk"])
    assert client.get(url(lights)).status_code == 405


def test_outsider_gets_404(client, lights, outsider):
    client.force_login(outsider)
    assert client.post(url(lights), {"text": "x"}).status_code == 404
    assert not ActionUpdate.objects.exists()


def test_a_member_who_is_no_owner_gets_403(client, lights, cast):
    client.force_login(cast["officer"])
    response = client.post(url(lights), {"text": "Me too", "new_status": "done"})
    assert response.status_code == 403
    lights.refresh_from_db()
    assert lights.status == Action.Status.OPEN and not ActionUpdate.objects.exists()


def test_an_owner_adds_an_update(client, lights, cast):
    client.force_login(cast["clerk"])
    response = client.post(url(lights), {"text": "  Asked the municipality.  ", "new_status": ""})
    assert response.status_code == 302 and response.url == f"/actions/{lights.pk}/"
    update = ActionUpdate.objects.get()
    assert (update.author, update.text, update.new_status) == (
        cast["clerk"],
        "Asked the municipality.",
        "",
    )
    html = client.get(response.url).content.decode()
    assert "Your update is saved." in html and "Asked the municipality." in html


def test_done_sets_completed_at_and_reopening_clears_it(client, lights, cast):
    client.force_login(cast["coordinator"])
    client.post(url(lights), {"text": "", "new_status": "done"})
    lights.refresh_from_db()
    assert lights.status == Action.Status.DONE and lights.completed_at is not None
    assert ActionUpdate.objects.get().new_status == "done"
    client.post(url(lights), {"text": "Broken again", "new_status": "in_progress"})
    lights.refresh_from_db()
    assert lights.status == Action.Status.IN_PROGRESS and lights.completed_at is None


def test_an_empty_update_is_refused_and_nothing_saved(client, lights, cast):
    client.force_login(cast["citizen"])
    response = client.post(url(lights), {"text": "   ", "new_status": "open"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write an update or choose a new status." in html
    assert not ActionUpdate.objects.exists()


def test_a_bad_status_keeps_the_typed_text(client, lights, cast):
    client.force_login(cast["citizen"])
    response = client.post(url(lights), {"text": "Typed words", "new_status": "finished"})
    html = response.content.decode()
    assert "Select a valid choice" in html and "Typed words" in html
    lights.refresh_from_db()
    assert lights.status == Action.Status.OPEN and not ActionUpdate.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("w" * 5001, "Ensure this value has at most 5000 characters"),
        ("Called\x00the school", "Null characters are not allowed."),
        ("Called\x1b[2Jthe school", "invisible control characters"),
    ],
)
def test_bad_text_is_refused_and_nothing_saved(client, lights, cast, text, error):
    client.force_login(cast["citizen"])
    response = client.post(url(lights), {"text": text, "new_status": "done"})
    assert response.status_code == 200
    assert error in response.content.decode()
    lights.refresh_from_db()
    assert lights.status == Action.Status.OPEN and not ActionUpdate.objects.exists()


def test_an_update_keeps_its_line_breaks_and_any_script(client, lights, cast):
    client.force_login(cast["citizen"])
    text = "Called the school.\r\n\tThey say: ‏שלום‏ 🍲\r\n" + "w" * 4900
    assert client.post(url(lights), {"text": text}).status_code == 302
    assert ActionUpdate.objects.get().text == text.strip().replace("\r\n", "\n")


def test_an_empty_update_opens_on_the_error_summary(client, lights, cast):
    # The form sits below every earlier update: a screen or more down on a phone.
    client.force_login(cast["clerk"])
    html = client.post(url(lights), {"text": " ", "new_status": ""}).content.decode()
    # An error of the whole form: said once, in the summary at the top of the form.
    assert "<li>Write an update or choose a new status.</li>" in summary(html, level=3)
    assert html.count("Write an update or choose a new status.") == 1
    assert not ActionUpdate.objects.exists()


def test_a_bad_status_in_the_summary_links_to_its_field(client, lights, cast):
    client.force_login(cast["clerk"])
    html = client.post(url(lights), {"text": "Asked", "new_status": "lost"}).content.decode()
    expected = "New status: Select a valid choice. lost is not one of the available choices."
    assert link("id_new_status", expected) in summary(html, level=3)
    assert not ActionUpdate.objects.exists()

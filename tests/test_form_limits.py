"""Every form of the project bounds its text: each text field has a max length that is checked
(a validator, not only the HTML attribute) and refuses control characters (PlainTextMixin).
Password fields are left as typed.

The forms are found in the forms module of every app of the project, so a form added later is
checked too; one whose __init__ needs arguments gets them from FORM_KWARGS.
"""

import importlib
import importlib.util
import inspect
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.test import RequestFactory
from django.utils import timezone

from actions.models import Action
from allies.formfields import multi_line_text, one_line_text
from allies.models import User
from circles.models import Circle
from meetings.models import Meeting


def project_forms() -> list[type[forms.BaseForm]]:
    found = []
    for app in apps.get_app_configs():
        if Path(app.path).parent != Path(settings.BASE_DIR):
            continue  # Django's own apps and the installed packages
        name = f"{app.name}.forms"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        found += [
            cls
            for _name, cls in inspect.getmembers(module, inspect.isclass)
            if issubclass(cls, forms.BaseForm) and cls.__module__ == name
        ]
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__name__}")


FORM_KWARGS = {
    "InviteForm": lambda: {"circle": Circle()},
    "MeetingForm": lambda: {"circle": Circle(), "members": User.objects.none()},
    "RecordForm": lambda: {"members": User.objects.none()},
    "ActionForm": lambda: {
        "members": User.objects.none(),
        "meeting": Meeting(starts_at=timezone.now()),
    },
    "ActionRowForm": lambda: FORM_KWARGS["ActionForm"](),
    "CancelForm": lambda: {"meeting": Meeting(starts_at=timezone.now())},
    "PlannedDinnerForm": lambda: {"members": [], "year": 2026, "taken": set()},
    "ActionUpdateForm": lambda: {"action": Action()},
    "ReviewForm": lambda: {"action": Action()},
    "ActionEditForm": lambda: {"action": Action(), "members": User.objects.none()},
    "ActionFilterForm": lambda: {"circles": Circle.objects.none()},
    "ProfileForm": lambda: {"instance": User(), "request": None},
    "ChangePasswordForm": lambda: {"user": User(), "request": RequestFactory().post("/")},
    "PollForm": lambda: {"circle": Circle()},
    "AnswerForm": lambda: {"options": []},
}
FORMS = project_forms()


def text_fields(form: forms.BaseForm):
    for name, field in form.fields.items():
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
            yield name, field


def test_the_forms_of_every_app_are_found():
    names = {cls.__name__ for cls in FORMS}
    assert {"LoginForm", "ProfileForm", "CircleForm", "MeetingForm", "ActionForm"} <= names
    assert {"ActionUpdateForm", "AgendaItemForm", "PlannedDinnerForm"} <= names


@pytest.mark.parametrize("form_class", FORMS, ids=[cls.__name__ for cls in FORMS])
def test_every_text_field_is_bounded_and_refuses_control_characters(form_class):
    kwargs = FORM_KWARGS.get(form_class.__name__, dict)()
    form = form_class(**kwargs)
    for name, field in text_fields(form):
        where = f"{form_class.__name__}.{name}"
        assert field.max_length is not None, f"{where} has no max_length"
        assert any(isinstance(v, MaxLengthValidator) for v in field.validators), where
        if not field.widget.is_hidden:  # nobody types in a hidden field
            assert str(field.widget.attrs.get("maxlength")) == str(field.max_length), where
        # A text area keeps its line breaks; a one-line field refuses them.
        expected = multi_line_text if isinstance(field.widget, forms.Textarea) else one_line_text
        assert expected in field.validators, f"{where}: put PlainTextMixin in its form's bases"
        if expected is multi_line_text:
            # As a browser sends a full text area: its maxlength counts each break once.
            full = "x\r\n" + "x" * (field.max_length - 2)
            assert field.clean(full) == full.replace("\r\n", "\n"), where

"""{% error_summary form %}: a form sent back with errors says so at its top, with a link to each
field in error (static/js/error-summary.js moves the focus there). On a phone the page came back
at its top while the error sat a screen or two below: it looked as if nothing had happened."""

from dataclasses import dataclass

from django import forms, template
from django.forms.formsets import BaseFormSet

register = template.Library()


@dataclass(frozen=True)
class Problem:
    message: str
    label: str = ""  # the field's label, with its row's ("Dinner 2 · Date") in a formset
    anchor: str = ""  # the id of the field to go to; none for errors of the whole form


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms_or_formsets, level: int = 2):
    """The summary of every error of the forms and formsets, in their order on the page.
    `level`: the rank of its heading (2 right under the page's <h1>)."""
    problems = []
    for item in forms_or_formsets:
        if isinstance(item, BaseFormSet):
            problems += [Problem(error) for error in item.non_form_errors()]
            row_label = getattr(item, "row_label", None)
            for index, form in enumerate(item.forms):
                problems += _problems(form, row_label(index) if row_label else "")
        elif item:
            problems += _problems(item)
    return {"problems": problems, "heading": f"h{level}"}


def _problems(form: forms.BaseForm, row: str = "") -> list[Problem]:
    problems = [Problem(error, row) for error in form.non_field_errors()]
    for name in form.fields:
        field = form[name]
        for error in field.errors:
            if field.is_hidden:  # nothing to go to; shown nowhere else either
                problems.append(Problem(error, row))
                continue
            label = " · ".join(part for part in (row, str(field.label or "")) if part)
            # A group of radio buttons or checkboxes has no one id: its first one's.
            anchor = field.id_for_label or f"{field.auto_id}_0"
            problems.append(Problem(error, label, anchor))
    return problems

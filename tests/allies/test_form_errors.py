"""{% error_summary %}: a form sent back with errors sums them up at its top, each linked to its
field (allies/templatetags/form_errors.py, templates/_error_summary.html)."""

from django import forms
from django.forms import formset_factory
from django.template import Context, Template


class DinnerForm(forms.Form):
    venue = forms.CharField(label="Venue")
    day = forms.DateField(label="Date")
    answer = forms.ChoiceField(label="Answer", choices=[("yes", "Yes")], widget=forms.RadioSelect)
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        if self.data.get("token") == "bad":
            self.add_error("token", "This form has expired.")
        raise forms.ValidationError("Something is wrong with the whole form.")


class RowFormSet(forms.BaseFormSet):
    def clean(self):
        raise forms.ValidationError("Two dinners on the same day.")

    def row_label(self, index):
        return f"Dinner {index + 1}"


def render(source: str, **context) -> str:
    return Template("{% load form_errors %}" + source).render(Context(context))


def test_a_form_without_errors_shows_no_summary():
    assert render("{% error_summary form %}", form=DinnerForm()).strip() == ""
    valid = forms.Form(data={})
    assert valid.is_valid()
    assert render("{% error_summary form %}", form=valid).strip() == ""


def test_each_error_links_to_its_field_after_those_of_the_whole_form():
    form = DinnerForm(data={"venue": "", "day": "tomorrow", "token": "bad"})
    html = render("{% error_summary form %}", form=form)
    assert '<h2 id="error-summary-heading" class="h6 alert-heading">There is a problem</h2>' in html
    assert 'role="alert" tabindex="-1"' in html and "data-error-summary" in html
    items = [
        "<li>Something is wrong with the whole form.</li>",
        '<li><a href="#id_venue" class="alert-link">Venue: This field is required.</a></li>',
        '<li><a href="#id_day" class="alert-link">Date: Enter a valid date.</a></li>',
        # A group of radio buttons: its first button.
        '<li><a href="#id_answer_0" class="alert-link">Answer: This field is required.</a></li>',
        # A hidden field has nothing to go to, and its error is shown nowhere else.
        "<li>This form has expired.</li>",
    ]
    positions = [html.find(item) for item in items]
    assert -1 not in positions, html
    assert positions == sorted(positions)


def test_the_rows_of_a_formset_are_named_and_its_own_errors_come_first():
    formset = formset_factory(DinnerForm, formset=RowFormSet, extra=2)(
        data={
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "0",
            "form-0-venue": "Stadhuis",
            "form-0-day": "2027-04-27",
            "form-0-answer": "yes",
            "form-1-day": "2027-04-28",
            "form-1-answer": "yes",
        }
    )
    html = render("{% error_summary formset level=3 %}", formset=formset)
    assert '<h3 id="error-summary-heading"' in html
    first = html.index("<li>Two dinners on the same day.</li>")
    row = html.index("<li>Dinner 1: Something is wrong with the whole form.</li>")
    field = html.index('<a href="#id_form-1-venue" class="alert-link">Dinner 2 · Venue: This')
    assert first < row < field


def test_a_formset_without_row_labels_names_the_fields_only():
    formset = formset_factory(DinnerForm, extra=1)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-day": "x"}
    )
    html = render("{% error_summary formset %}", formset=formset)
    assert '<a href="#id_form-0-day" class="alert-link">Date: Enter a valid date.</a>' in html

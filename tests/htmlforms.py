"""The forms of an HTML page, read the way a browser reads them: where each form is sent, its
fields with their kind, and the values the page fills in."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

INPUT_KINDS = {"number": "number", "date": "date", "time": "time"}
BUTTONS = {"submit", "button", "image", "reset"}
# A one-line input's value loses its line breaks in the browser (HTML's value sanitization):
# a text that had one is sent without it.
ONE_LINE_INPUTS = {"text", "search", "tel", "url", "email", "password"}


@dataclass
class Field:
    name: str
    # text, number, date, time; choice (one of options); multi (any of options)
    kind: str
    value: str | list[str] | None = None
    options: list[str] = field(default_factory=list)


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)

    def values(self) -> dict[str, str | list[str]]:
        """What a browser sends when the first submit button is pressed without a change."""
        return {name: f.value for name, f in self.fields.items() if f.value is not None}


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self.form: HtmlForm | None = None
        self.in_template = 0  # a <template> row (a formset's empty form) is not sent
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = {key: value if value is not None else "" for key, value in attrs}
        if tag == "template":
            self.in_template += 1
        if self.in_template:
            return
        if tag == "form":
            method = (a.get("method") or "get").lower()
            self.form = HtmlForm(action=a.get("action", ""), method=method)
            return
        name = a.get("name")
        if self.form is None:
            return
        if tag == "option" and self.select is not None:
            self._option(a)
        elif not name or name == "csrfmiddlewaretoken":
            return
        elif tag == "input":
            self._input(name, a)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._button(name, a.get("value", ""))
        elif tag == "select":
            kind = "multi" if "multiple" in a else "choice"
            self.select = Field(name, kind, [] if kind == "multi" else None)
        elif tag == "textarea":
            self.textarea = Field(name, "text", "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.in_template -= 1
        elif self.in_template:
            return
        elif tag == "form" and self.form is not None:
            self.forms.append(self.form)
            self.form = None
        elif tag == "select" and self.select is not None:
            if self.select.kind == "choice" and self.select.value is None and self.select.options:
                self.select.value = self.select.options[0]
            self._add(self.select)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser drops the one newline right after <textarea>; so do browsers.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self._add(self.textarea)
            self.textarea = None

    def _add(self, new: Field):
        self.form.fields.setdefault(new.name, new)

    def _option(self, a):
        self.select.options.append(a.get("value", ""))
        if "selected" in a:
            if self.select.kind == "multi":
                self.select.value.append(a.get("value", ""))
            else:
                self.select.value = a.get("value", "")

    def _input(self, name, a):
        kind = a.get("type", "text").lower()
        value = a.get("value", "")
        if kind in BUTTONS:
            self._button(name, value)
        elif kind == "checkbox":
            box = self.form.fields.setdefault(name, Field(name, "multi", []))
            box.options.append(value or "on")
            if "checked" in a:
                box.value.append(value or "on")
        elif kind == "radio":
            radio = self.form.fields.setdefault(name, Field(name, "choice"))
            radio.options.append(value)
            if "checked" in a:
                radio.value = value
        elif kind == "hidden" and value.isdigit():
            # A formset's counts and the ids of its rows.
            self._add(Field(name, "number", value))
        else:
            if kind in ONE_LINE_INPUTS:
                value = value.replace("\r", "").replace("\n", "")
            self._add(Field(name, INPUT_KINDS.get(kind, "text"), value))

    def _button(self, name, value):
        button = self.form.fields.setdefault(name, Field(name, "choice", value))
        button.options.append(value)


def forms_on(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms

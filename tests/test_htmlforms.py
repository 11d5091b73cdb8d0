from tests.htmlforms import forms_on

PAGE = """
<form method="get"><select name="status"><option value="">all</option></select></form>
<form method="post" action="/meetings/1/record/">
  <input type="hidden" name="csrfmiddlewaretoken" value="secret">
  <input type="hidden" name="actions-TOTAL_FORMS" value="2">
  <input type="checkbox" name="attendees" value="3" checked>
  <input type="checkbox" name="attendees" value="4">
  <input type="checkbox" name="reminders" checked>
  <input type="radio" name="answer" value="yes"><input type="radio" name="answer" value="no">
  <input type="date" name="due" value="2026-05-07"><input type="time" name="at" value="">
  <input type="number" name="order" value="1"><input type="email" name="email" value="a&amp;b">
  <select name="owners" multiple><option value="1" selected>A</option><option value="2">B</option>
  </select>
  <select name="kind"><option value="dinner">Dinner</option><option value="extra">Extra</option>
  </select>
  <textarea name="minutes">
Line one
&lt;two&gt;</textarea>
  <template><input name="actions-__prefix__-title"></template>
  <button type="submit" name="share" value="yes">Share</button>
  <button type="button" name="ignored" value="x">Not sent</button>
</form>
"""


def test_it_reads_the_forms_as_a_browser_sends_them():
    search, record = forms_on(PAGE)
    assert (search.method, search.action) == ("get", "")
    assert record.method == "post" and record.action == "/meetings/1/record/"
    kinds = {name: field.kind for name, field in record.fields.items()}
    assert kinds == {
        "actions-TOTAL_FORMS": "number",
        "attendees": "multi",
        "reminders": "multi",
        "answer": "choice",
        "due": "date",
        "at": "time",
        "order": "number",
        "email": "text",
        "owners": "multi",
        "kind": "choice",
        "minutes": "text",
        "share": "choice",
    }
    assert record.values() == {
        "actions-TOTAL_FORMS": "2",
        "attendees": ["3"],
        "reminders": ["on"],
        "due": "2026-05-07",
        "at": "",
        "order": "1",
        "email": "a&b",
        "owners": ["1"],
        "kind": "dinner",
        "minutes": "Line one\n<two>",
        "share": "yes",
    }
    assert record.fields["attendees"].options == ["3", "4"]
    assert record.fields["answer"].options == ["yes", "no"]

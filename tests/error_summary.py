"""Find the error summary ({% error_summary %}) a form sent back with errors opens on."""

import re

SUMMARY = re.compile(r"<div [^>]*data-error-summary>.*?</div>", re.S)


def summary(html: str, level: int = 2) -> str:
    """The error summary of the page's form: inside the form, before its first field."""
    form = html.index('<form method="post"', html.index("<main"))
    found = SUMMARY.search(html, form)
    assert found, "no error summary in the form"
    assert found.end() < html.index("<input", found.end())
    heading = f'<h{level} id="error-summary-heading" class="h6 alert-heading">There is a problem'
    assert heading in found.group()
    return found.group()


def link(anchor: str, text: str) -> str:
    """An error in the summary that links to its field."""
    return f'<li><a href="#{anchor}" class="alert-link">{text}</a></li>'

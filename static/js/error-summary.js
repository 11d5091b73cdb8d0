// A form sent back with errors opens on its error summary (templates/_error_summary.html):
// the focus moves there, so the page scrolls to it and a screen reader reads it out. Without
// this a phone showed the page's top while the error sat a screen or two further down.
// A link in the summary goes to its field: it opens the <details> the field may be folded
// into, shows the field's label with it, and puts the cursor in the field.
const summary = document.querySelector("[data-error-summary]");
if (summary) {
  summary.focus();
  summary.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    const field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    for (let folded = field.closest("details"); folded; folded = folded.parentElement.closest("details")) {
      folded.open = true;
    }
    const label = field.labels?.[0] ?? field.closest("fieldset")?.querySelector("legend");
    (label ?? field).scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  });
}

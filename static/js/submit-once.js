// A form is sent once: pressed again (a double click, Enter twice) while the first request is on
// its way, it is not sent a second time, and it shows that it is busy. The server refuses a repeat
// too (allies/once.py); this spares the request and tells the person something is happening.
// Back on the page from the browser's cache, the form can be sent again.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || form.method !== "post") return;
  if (form.hasAttribute("aria-busy")) {
    event.preventDefault();
    return;
  }
  form.setAttribute("aria-busy", "true");
});

window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[aria-busy]")) {
    form.removeAttribute("aria-busy");
  }
});

// Django formsets: a button with data-formset-add="<prefix>" adds a blank row, cloned from
// the <template id="<prefix>-empty"> beside it. Without JavaScript the button stays hidden and
// the page keeps its blank rows. It hides itself once the formset has its maximum of rows.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("[data-formset-add]")) {
    const prefix = button.dataset.formsetAdd;
    const template = document.getElementById(`${prefix}-empty`);
    const rows = document.getElementById(`${prefix}-rows`);
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const max = Number(document.getElementById(`id_${prefix}-MAX_NUM_FORMS`)?.value ?? Infinity);
    if (!template || !rows || !total) continue;
    button.hidden = Number(total.value) >= max;
    button.addEventListener("click", () => {
      const index = Number(total.value);
      rows.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__prefix__", index));
      total.value = index + 1;
      button.hidden = index + 1 >= max;
      rows.lastElementChild.querySelector("input:not([type=hidden]), select, textarea")?.focus();
    });
  }
});

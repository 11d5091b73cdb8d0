// Copy buttons: <button data-copy-target="input-id" data-copied-label="Copied">.
// The text is selected first, so without the clipboard API it can still be copied by hand.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copyTarget);
  if (!input) return;
  input.select();
  if (!navigator.clipboard || !window.isSecureContext) return;
  navigator.clipboard.writeText(input.value).then(() => {
    const label = button.dataset.copiedLabel;
    if (!label || button.dataset.originalLabel) return;
    button.dataset.originalLabel = button.innerHTML;
    button.textContent = label;
    setTimeout(() => {
      button.innerHTML = button.dataset.originalLabel;
      delete button.dataset.originalLabel;
    }, 2000);
  }, () => {});
});

// The desk: keep the scanner's cursor in the item box; the receipt's print button.
document.addEventListener("DOMContentLoaded", () => {
  const focus = document.querySelector("[data-autofocus]");
  if (focus) focus.focus();
  for (const button of document.querySelectorAll("[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
});

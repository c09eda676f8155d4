// Swagger UI draws icon-only "copy" buttons with no accessible name. Name them as they appear.
const nameButtons = () => {
  document.querySelectorAll(".copy-to-clipboard button:not([aria-label])").forEach((button) => {
    button.setAttribute("aria-label", "Copy to clipboard");
  });
};
new MutationObserver(nameButtons).observe(document.body, { childList: true, subtree: true });
nameButtons();

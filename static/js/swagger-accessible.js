// Swagger UI leaves some controls without accessible names, and code samples that scroll
// cannot be reached by keyboard. Fix both as Swagger draws them.
const makeAccessible = () => {
  // Icon-only "copy" buttons: name them as they appear.
  document.querySelectorAll(".copy-to-clipboard button:not([aria-label])").forEach((button) => {
    button.setAttribute("aria-label", "Copy to clipboard");
  });
  // Parameter choices (enums) are drawn as a select with no label: name it after its parameter.
  document.querySelectorAll("tr[data-param-name] select:not([aria-label])").forEach((select) => {
    const row = select.closest("tr[data-param-name]");
    select.setAttribute("aria-label", `${row.dataset.paramName} (${row.dataset.paramIn})`);
  });
  // Code samples scroll sideways: let keyboard users focus them to scroll.
  document.querySelectorAll(".swagger-ui pre:not([tabindex])").forEach((pre) => {
    pre.setAttribute("tabindex", "0");
  });
};
new MutationObserver(makeAccessible).observe(document.body, { childList: true, subtree: true });
makeAccessible();

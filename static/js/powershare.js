// PowerShare's own script: start the design system's components. No inline scripts anywhere
// (the Content Security Policy forbids them), so everything starts from here.
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js");

function start() {
  if (window.DS && typeof window.DS.initAll === "function") {
    window.DS.initAll();
  }
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}

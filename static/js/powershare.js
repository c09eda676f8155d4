// PowerShare's own script: start the design system's components. No inline scripts anywhere
// (the Content Security Policy forbids them), so everything starts from here.
document.documentElement.classList.remove("no-js");
document.documentElement.classList.add("js", "js-enabled"); // the design system styles scripted parts under .js-enabled

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

// Before the session ends, offer to extend it, so nobody loses what they are typing
// (WCAG 2.2.1 Timing Adjustable). Without scripts the same form works as a normal post.
function sessionWarning() {
  const box = document.getElementById("session-warning");
  if (!box) {
    return;
  }
  const form = box.querySelector("form");
  const time = box.querySelector("[data-session-time]");
  const warnMs = Number(box.dataset.warnSeconds) * 1000;
  let expiresAt = Date.parse(box.dataset.expiresAt);
  let timer;

  const show = () => {
    time.textContent = new Date(expiresAt).toLocaleTimeString("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      timeZone: "Europe/London",
    });
    box.hidden = false;
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(show, Math.max(expiresAt - warnMs - Date.now(), 0));
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) {
        throw new Error(`status ${response.status}`);
      }
      expiresAt = Date.parse((await response.json()).expires_at);
      box.hidden = true;
      schedule();
    } catch {
      form.submit();
    }
  });
  schedule();
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", sessionWarning);
} else {
  sessionWarning();
}

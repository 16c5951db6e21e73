// The console's only script: filters that apply on change, and the estimator recomputing as
// its inputs change. Every page also works without it (forms submit as usual).
"use strict";

document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});

for (const form of document.querySelectorAll("form[data-live]")) {
  const target = document.querySelector(form.getAttribute("data-live"));
  let timer = null;
  let latest = 0;
  const refresh = async () => {
    if (!form.checkValidity()) return;
    const query = new URLSearchParams(new FormData(form));
    for (const [key, value] of [...query.entries()]) {
      if (value === "") query.delete(key);
    }
    const asked = ++latest;
    const response = await fetch(`${form.action}?${query}&partial=true`, {
      headers: { Accept: "text/html" },
      credentials: "same-origin",
    });
    if (!response.ok || asked !== latest) return;
    target.innerHTML = await response.text();
    history.replaceState(null, "", `?${query}`);
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
}

// Refreshes the parts of a page marked data-refresh in place, every data-every seconds; the
// server renders (and escapes) the HTML, so nothing here builds markup.
"use strict";
document.querySelectorAll("[data-refresh]").forEach((panel) => {
  const every = Number(panel.dataset.every || 30) * 1000;
  setInterval(async () => {
    try {
      const answer = await fetch(panel.dataset.refresh, {credentials: "same-origin"});
      if (answer.ok && answer.headers.get("content-type", "").startsWith("text/html")) {
        panel.innerHTML = await answer.text();
      }
    } catch (error) {
      // offline for a moment: keep what is shown, try again at the next tick
    }
  }, every);
});
// A datetime-local field has no zone: send the browser's UTC offset beside it.
document.querySelectorAll("input[data-utc-offset]").forEach((field) => {
  field.value = String(new Date().getTimezoneOffset());
});

// Progressive enhancement only: every page works without this file.
// A Type I SOC report is as of one date, so its period start is hidden (by CSS) and
// disabled here, so that a date typed before switching to Type I is not sent.
"use strict";

function syncPeriodStart(form) {
  const typeOne = form.querySelector('input[name="report_type"][value="type1"]');
  const start = form.querySelector('input[name="period_start"]');
  if (!typeOne || !start) return;
  const field = start.closest(".field");
  const hide = typeOne.checked && !field.classList.contains("has-error");
  start.disabled = hide;
  field.hidden = hide;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.soc-form")) {
    syncPeriodStart(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "report_type") {
        const field = form.querySelector('input[name="period_start"]').closest(".field");
        field.classList.remove("has-error");
        syncPeriodStart(form);
      }
    });
  }
});

// 工作群管家 dashboard: small helpers only; every page works without script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filter the overview's group tables as one types.
  for (const input of document.querySelectorAll("input[data-table-filter]")) {
    const tables = document.querySelectorAll(`table[data-table="${input.dataset.tableFilter}"]`);
    input.addEventListener("input", () => {
      const needle = input.value.trim().toLowerCase();
      for (const table of tables) {
        for (const row of table.tBodies[0].rows) {
          row.hidden = needle !== "" && !row.textContent.toLowerCase().includes(needle);
        }
      }
    });
  }
  // A summary card that names a status fills the filter with it.
  for (const link of document.querySelectorAll("a[data-filter]")) {
    link.addEventListener("click", () => {
      const input = document.querySelector("input[data-table-filter]");
      if (input) { input.value = link.dataset.filter; input.dispatchEvent(new Event("input")); }
    });
  }
  // Closing a case cannot be undone: ask once.
  for (const form of document.querySelectorAll("form.close-case")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm("确认结案？结案后不能撤销。")) event.preventDefault();
    });
  }
  for (const link of document.querySelectorAll("a[data-back]")) {
    link.addEventListener("click", (event) => {
      if (window.history.length > 1) { event.preventDefault(); window.history.back(); }
    });
  }
});

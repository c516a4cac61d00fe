// Small behaviours the pages declare with data attributes, so no page needs inline script
// (the Content-Security-Policy allows scripts from this site only).
document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  if (target.closest("[data-print]")) window.print();
  const closer = target.closest("[data-close-dialog]");
  if (closer) closer.closest("dialog")?.close();
  if (target.matches("input[data-select-on-click]")) target.select();
});
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined) {
    target.form?.requestSubmit();
  }
});
// Forms that act on a lot at once ask first: <form data-confirm="Publish: 12 added, 3 removed?">.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});

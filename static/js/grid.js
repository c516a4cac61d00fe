// Schedule grid: open the cell editor once htmx has loaded it into the dialog.
document.addEventListener("htmx:afterSwap", (event) => {
  if (event.detail.target && event.detail.target.id === "editor-body") {
    const dialog = document.getElementById("editor");
    if (dialog && !dialog.open) dialog.showModal();
  }
});

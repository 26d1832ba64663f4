// Progressive enhancement only: every page reads fully without this file.
// It adds a "Copy citation" button where the browser can write to the clipboard.
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const text = document.getElementById(button.dataset.copy);
    if (!text || !navigator.clipboard) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(text.textContent.trim());
        button.textContent = "Copied";
      } catch {
        button.textContent = "Select the text above to copy it";
      }
    });
  }
});

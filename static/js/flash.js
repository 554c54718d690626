/* Messages in the #flash region: shown by the server's answers (out-of-band swaps) or by
   showFlash here; they hide themselves after a while, except errors. */

let flashTimer = null;

/** Show `message` (plain text) with `level` "info", "success" or "error". */
export function showFlash(message, level) {
  const flash = document.getElementById("flash");
  if (!flash) return;
  flash.className = "flash flash-" + level;
  flash.replaceChildren();
  const p = document.createElement("p");
  p.textContent = message;
  flash.append(p);
  scheduleFlashHide();
}

function scheduleFlashHide() {
  const flash = document.getElementById("flash");
  clearTimeout(flashTimer);
  if (!flash || flash.classList.contains("flash-error")) return;
  const delay = flash.querySelector("[data-undo]") ? 15000 : 6000;
  flashTimer = setTimeout(() => flash.replaceChildren(), delay);
}

/** Every page: timers for the server's messages, and a message when a request fails. */
export function install() {
  document.addEventListener("htmx:afterSettle", scheduleFlashHide);
  scheduleFlashHide();
  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.xhr.status >= 500) {
      showFlash(
        "Something went wrong on the server; your last action may not have been saved. " +
          "Reload the page to see what is stored.",
        "error",
      );
    }
  });
  document.addEventListener("htmx:sendError", () => {
    showFlash("Excerpta cannot be reached: your last action was not saved. Try again.", "error");
  });
}

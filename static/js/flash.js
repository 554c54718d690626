/* Messages in the #flash region: shown by the server's answers (out-of-band swaps) or by
   showFlash here. They dock at the bottom of the window and cover nothing: the page keeps
   as much room below itself as they take (--flash-height, also its scroll padding), and
   the control in use is scrolled above them. Each message has a button that dismisses it;
   Esc dismisses an error, or the message that has the focus. Messages hide themselves
   after a while, except errors. */

let flashTimer = null;

// The messages' dock, holding the two live regions (_flash.html): #flash-status (polite)
// and #flash-alert (errors). Only their content changes, never the regions themselves,
// or screen readers would not announce it.
const region = () => document.getElementById("flash");
const liveRegions = () => [...document.querySelectorAll("#flash-status, #flash-alert")];

/** Show `message` (plain text) with `level` "info", "success" or "error"; returns its
    paragraph (for dismissFlash), or null on a page without messages. */
export function showFlash(message, level) {
  const target = document.getElementById(level === "error" ? "flash-alert" : "flash-status");
  if (!target) return null;
  const p = document.createElement("p");
  p.className = "flash-" + level;
  const text = document.createElement("span");
  text.className = "flash-text";
  text.textContent = message;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "flash-close";
  close.dataset.dismiss = "";
  close.setAttribute("aria-label", "Dismiss this message");
  close.textContent = "×";
  p.append(text, close);
  // One message at a time, as the server's answers show them.
  for (const live of liveRegions()) if (live !== target) live.replaceChildren();
  target.replaceChildren(p);
  scheduleFlashHide();
  return p;
}

/** Take away a message showFlash returned, as its own button would: a message that no
    longer holds (the choice it was about was changed) must not stay. */
export function dismissFlash(message) {
  dismiss(message);
}

function isError(message) {
  return message.classList.contains("flash-error") || !!message.closest("#flash-alert");
}

function clearAll() {
  for (const live of liveRegions()) live.replaceChildren();
}

function scheduleFlashHide() {
  const flash = region();
  clearTimeout(flashTimer);
  if (!flash) return;
  const lasting = [...flash.querySelectorAll("p")].some(isError);
  if (lasting) return;
  const delay = flash.querySelector("[data-undo]") ? 15000 : 6000;
  flashTimer = setTimeout(clearAll, delay);
}

function dismiss(message) {
  const flash = region();
  const focused = message.contains(document.activeElement);
  message.remove();
  if (flash && !flash.querySelector("p")) clearAll();
  keepInView();
  // Focus would otherwise fall to the page's start, far from where the user was.
  if (focused && lastControl && lastControl.isConnected) lastControl.focus();
}

// The control the user last acted on, outside the messages: kept above them.
let lastControl = null;

function keepInView() {
  const flash = region();
  const height = flash && flash.querySelector("p") ? flash.offsetHeight : 0;
  document.documentElement.style.setProperty("--flash-height", height + "px");
  if (!height || !lastControl || !lastControl.isConnected) return;
  const area = lastControl.closest("form, fieldset, .field") || lastControl;
  const covered = area.getBoundingClientRect().bottom > window.innerHeight - height;
  if (covered) area.scrollIntoView({ block: "nearest" });
}

// How long after the page loads its kept messages come into the live regions: long enough
// for screen readers to have taken in the page and its empty regions.
const KEPT_MESSAGES_DELAY = 500;

/* A message kept for this page (after a reload or a redirect: Ctrl+Z, a plain form) is in
   its live region from the start, and what a live region holds when the page loads is not
   announced: take it out and put it back once the page is there, as a change. Unless
   another message came meanwhile. */
function sayKeptMessages() {
  const kept = liveRegions().map((live) => [live, [...live.childNodes]]);
  if (!kept.some(([live]) => live.querySelector("p"))) {
    scheduleFlashHide();
    return;
  }
  clearAll();
  setTimeout(() => {
    if (region().querySelector("p")) return;
    for (const [live, nodes] of kept) live.replaceChildren(...nodes);
    scheduleFlashHide();
  }, KEPT_MESSAGES_DELAY);
}

/** Every page: timers and room for the messages, their dismissal, and a message when a
    request fails on the server or cannot be sent. A refusal (4xx) is not a failure: it
    comes with its own message, and htmx is told so in base.html. */
export function install() {
  const flash = region();
  document.addEventListener("htmx:afterSettle", scheduleFlashHide);
  sayKeptMessages();
  if (flash) new ResizeObserver(keepInView).observe(flash);
  document.addEventListener("focusin", (event) => {
    if (!event.target.closest("#flash")) lastControl = event.target;
  });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("#flash [data-dismiss]");
    if (button) dismiss(button.closest("p"));
  });
  // Captured before the page's own keys, but only when there is a message to dismiss:
  // otherwise Esc keeps closing what it closes (the picker, the panel).
  window.addEventListener(
    "keydown",
    (event) => {
      const flash = region();
      if (event.key !== "Escape" || !flash) return;
      const messages = [...flash.querySelectorAll("p")];
      const target =
        messages.find((p) => p.contains(document.activeElement)) ||
        messages.reverse().find(isError);
      if (!target) return;
      dismiss(target);
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );
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

/* The coding margin: S or the switch above the transcript shows and hides it, a click on a
   stripe or a label opens its excerpt.

   The server draws the margin in every line (coding/highlight.py) and remembers, in the
   session, whether this user shows it: the page arrives with the transcript's class
   `margin-off` already right, so nothing moves on load. Toggling flips that class at once and
   tells the server in the background (the switch is a form, which also works without
   script). The text column never moves when the margin comes and goes. */

import { offerChoice, openExcerpt } from "./excerpts.js";
import { bindKey } from "./keyboard.js";
import { page } from "./state.js";

/** Show (true) or hide (false) the margin, and remember it for the next page load. */
export function showMargin(shown) {
  const form = document.getElementById("margin-form");
  page.transcript.classList.toggle("margin-off", !shown);
  if (!form) return;
  form.querySelector("button").setAttribute("aria-pressed", String(shown));
  // What the form sends next time: the opposite.
  form.elements.shown.value = shown ? "0" : "1";
  htmx.ajax("POST", form.action, { swap: "none", values: { shown: shown ? "1" : "0" } });
}

function showOpen() {
  page.transcript.querySelectorAll(".open[data-for]").forEach((el) => el.classList.remove("open"));
  if (page.current === null) return;
  page.transcript
    .querySelectorAll('[data-for="' + page.current + '"]')
    .forEach((el) => el.classList.add("open"));
}

function toggle() {
  showMargin(page.transcript.classList.contains("margin-off"));
}

export function install() {
  const form = document.getElementById("margin-form");
  if (form) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      toggle();
    });
  }
  bindKey("s", toggle);
  bindKey("S", toggle);

  // A stripe or a label belongs to one excerpt (data-for), so a click on it opens that one,
  // not the innermost excerpt under some text. An eraser (the empty margin below where an
  // excerpt ends) opens nothing, though the stripe it hides runs on beneath it. Capture,
  // so that the transcript's own click handler does not run after this one.
  page.transcript.addEventListener(
    "click",
    (event) => {
      const part = event.target.closest(".stripe, .stripe-label, .stripe-end");
      if (!part) return;
      event.stopPropagation();
      if (!part.dataset.for) return;
      offerChoice([]);
      openExcerpt(part.dataset.for, false);
    },
    true,
  );
  // The open excerpt's stripe and label stand out. Opening one always loads the side panel.
  document.addEventListener("htmx:afterSettle", showOpen);
  document.addEventListener("htmx:oobAfterSwap", showOpen);
}

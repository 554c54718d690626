/* The side panel (#excerpt-detail) of the open excerpt: its buttons, M for its memo,
   Delete, and a memo being written that survives the panel being redrawn. */

import { markOpen, offerChoice } from "./excerpts.js";
import { showFlash } from "./flash.js";
import { bindKey } from "./keyboard.js";
import { startCoding } from "./picker.js";
import { readSelection } from "./selection.js";
import { page, shownExcerpt } from "./state.js";

const EMPTY_HINT = "Click a highlight, or pick an excerpt below, to see its codes and memo.";

/** Empty the side panel (no excerpt open); false when none was open. */
export function closeDetail() {
  const detail = document.getElementById("excerpt-detail");
  if (!detail || !detail.dataset.x) return false;
  markOpen(null);
  offerChoice([]);
  const hint = document.createElement("p");
  hint.className = "hint";
  hint.textContent = EMPTY_HINT;
  const hadFocus = detail.contains(document.activeElement);
  detail.replaceChildren(hint);
  delete detail.dataset.x;
  if (hadFocus) page.transcript.focus({ preventScroll: true });
  return true;
}

function resizeToSelection(button) {
  const selection = (page.selection = readSelection());
  if (!selection) {
    showFlash(
      "Select the new extent of the excerpt in the text first, then press “Set to the selection”.",
      "info",
    );
    return;
  }
  htmx.ajax("POST", button.dataset.url, {
    source: button,
    swap: "none",
    values: {
      start: selection.start,
      end: selection.end,
      text: selection.text,
      version: page.transcript.dataset.version,
      revision: button.dataset.revision,
    },
  });
}

export function install() {
  const help = page.help;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-action]");
    if (!button) return;
    const action = button.dataset.action;
    if (action === "add-code") startCoding();
    if (action === "close-detail") closeDetail();
    if (action === "help" && help) help.showModal();
    if (action === "resize") resizeToSelection(button);
  });

  // Escape: after the picker (picker.js), before the selection (selection.js).
  bindKey("Escape", closeDetail);
  bindKey("m", () => {
    const memo = page.canWrite && document.querySelector("#excerpt-detail textarea");
    if (!memo) return false;
    memo.focus();
  });
  const remove = () => {
    const shown = shownExcerpt();
    const button =
      page.canWrite &&
      shown !== null &&
      shown === page.current &&
      document.querySelector("#excerpt-detail [data-action-delete]");
    if (!button) return false;
    button.click();
  };
  bindKey("Delete", remove);
  bindKey("Backspace", remove);
  bindKey("?", () => {
    if (!help) return false;
    help.showModal();
  });

  document.addEventListener("excerptDeleted", () => {
    page.current = null;
    page.transcript.focus({ preventScroll: true });
  });

  // A memo being written survives the panel being redrawn by another edit of the same
  // excerpt (a code added, a resize), as long as the saved memo did not change meanwhile.
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const target = event.detail.target;
    if (!target || target.id !== "excerpt-detail") return;
    const typed = target.querySelector("textarea[name=memo]");
    if (!typed || typed.value === typed.defaultValue) return;
    const incoming = event.detail.fragment.querySelector("#excerpt-detail");
    const box = incoming && incoming.querySelector("textarea[name=memo]");
    if (box && incoming.dataset.x === target.dataset.x && box.defaultValue === typed.defaultValue) {
      box.value = typed.value;
    }
  });
}

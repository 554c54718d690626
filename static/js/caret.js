/* Selecting with the keyboard in the transcript (one tab stop): ← and → move a caret by
   one character, with Ctrl or Alt by word; ↑ and ↓ by line; Home and End to the line's
   ends; Shift extends the selection. The caret is drawn as a div because the transcript is
   not editable. */

import { coveringOffset, describe } from "./covering.js";
import { outsideLabels } from "./labels.js";
import { bounds, charAt, domPoint, lines, pointOffset } from "./lines.js";
import { onSelectionChange, selectOffsets } from "./selection.js";
import { page } from "./state.js";

let anchor = null; // offsets of the keyboard selection's fixed end and moving end
let focus = null;
let caret = null;

const isSpace = (ch) => /\s/.test(ch);

function wordRight(i) {
  const max = bounds()[1];
  while (i < max && isSpace(charAt(i))) i++;
  while (i < max && !isSpace(charAt(i))) i++;
  return i;
}

function wordLeft(i) {
  const min = bounds()[0];
  while (i > min && isSpace(charAt(i - 1))) i--;
  while (i > min && !isSpace(charAt(i - 1))) i--;
  return i;
}

// One character right or left; the line breaks between two lines count as one step.
function charRight(i) {
  const all = lines();
  const line = all.find((l) => i < l.end && i >= l.start);
  if (line) return i + 1;
  const next = all.find((l) => l.start > i);
  return next ? next.start : bounds()[1];
}

function charLeft(i) {
  const all = lines();
  const line = all.find((l) => i > l.start && i <= l.end);
  if (line) return i - 1;
  const before = all.filter((l) => l.end < i);
  return before.length ? before[before.length - 1].end : bounds()[0];
}

function lineIndex(i) {
  const all = lines();
  const index = all.findIndex((l) => i <= l.end);
  return index < 0 ? all.length - 1 : index;
}

/** Where the key `key` moves the caret from offset `i`; `byWord` with Ctrl or Alt. */
function move(key, i, byWord) {
  const all = lines();
  const index = lineIndex(i);
  switch (key) {
    case "ArrowRight":
      return byWord ? wordRight(i) : charRight(i);
    case "ArrowLeft":
      return byWord ? wordLeft(i) : charLeft(i);
    case "ArrowDown":
      return index + 1 < all.length ? all[index + 1].start : all[index].end;
    case "ArrowUp":
      return i > all[index].start ? all[index].start : all[Math.max(0, index - 1)].start;
    case "Home":
      return all[index].start;
    case "End":
      return all[index].end;
  }
  return i;
}

function firstVisibleLine() {
  const reader = page.reader;
  const top = reader.getBoundingClientRect ? reader.getBoundingClientRect().top : 0;
  return lines().find((l) => l.p.getBoundingClientRect().bottom > top + 8) || lines()[0];
}

function drawCaret() {
  if (anchor === null || anchor !== focus || document.activeElement !== page.transcript) {
    caret.hidden = true;
    return;
  }
  const point = domPoint(focus);
  if (!point) return;
  const range = document.createRange();
  range.setStart(point[0], point[1]);
  range.collapse(true);
  const rect = range.getClientRects()[0] || point[0].parentElement.getBoundingClientRect();
  caret.style.left = rect.left + "px";
  caret.style.top = rect.top + "px";
  caret.style.height = (rect.height || 20) + "px";
  caret.hidden = false;
}

/** Where the caret is, as an offset: the keyboard's, else a click's (a collapsed DOM
    selection in the transcript), else null. */
export function caretOffset() {
  if (focus !== null) return focus;
  const native = window.getSelection();
  if (!native.rangeCount || !page.transcript.contains(native.focusNode)) return null;
  return pointOffset(native.focusNode, native.focusOffset, "start");
}

/** Put the keyboard caret at `offset`, with nothing selected. */
export function placeCaret(offset) {
  anchor = focus = offset;
  window.getSelection().removeAllRanges();
  drawCaret();
  describeCaret();
}

// The description names the excerpts at the caret (for a screen reader, the transcript's
// aria-describedby; for the eye, a box under the caret).
function describeCaret() {
  if (focus === null || document.activeElement !== page.transcript) return;
  const point = domPoint(focus);
  let rect = null;
  if (point) {
    const range = document.createRange();
    range.setStart(point[0], point[1]);
    rect = range.getClientRects()[0] || null;
  }
  describe(coveringOffset(focus), rect);
}

/** Forget the keyboard selection (a mouse selection or a saved excerpt replaces it). */
export function resetCaret() {
  anchor = focus = null;
  if (caret) caret.hidden = true;
}

const KEYS = ["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp", "Home", "End"];

export function install() {
  const { transcript, reader } = page;
  caret = document.createElement("div");
  caret.className = "caret";
  caret.hidden = true;
  document.body.append(caret);

  transcript.addEventListener("blur", () => {
    caret.hidden = true;
    describe([]);
  });
  transcript.addEventListener("focus", drawCaret);
  if (reader.addEventListener) reader.addEventListener("scroll", drawCaret, { passive: true });
  transcript.addEventListener("mousedown", resetCaret);
  onSelectionChange(() => {
    if (page.selection && document.activeElement !== transcript) anchor = null;
  });

  transcript.addEventListener("keydown", (event) => {
    if (!KEYS.includes(event.key) || event.metaKey) return;
    const byWord = event.ctrlKey || event.altKey;
    if (byWord && !event.key.startsWith("ArrowLeft") && !event.key.startsWith("ArrowRight")) {
      return; // Ctrl+Home and the like keep their usual meaning (scrolling the page).
    }
    if (!lines().length) return;
    event.preventDefault();
    const selection = page.selection;
    if (anchor === null) {
      if (selection) {
        anchor = selection.start;
        focus = selection.end;
      } else {
        // From where a click put the caret, else from the top of what is in view.
        const clicked = caretOffset();
        anchor = focus = clicked !== null ? clicked : firstVisibleLine().start;
      }
      if (!event.shiftKey && selection) anchor = focus = selection.end;
    }
    focus = move(event.key, focus, byWord);
    if (!event.shiftKey) anchor = focus;
    // What is shown selected is what will be stored: no speaker label at either end.
    const [start, end] = outsideLabels(Math.min(anchor, focus), Math.max(anchor, focus));
    if (end <= start) {
      window.getSelection().removeAllRanges();
    } else {
      selectOffsets(start, end, focus < anchor);
    }
    const point = domPoint(focus);
    if (point) (point[0].parentElement || point[0]).scrollIntoView({ block: "nearest" });
    drawCaret();
    describeCaret();
  });
}

/* The selection in the transcript, in offsets, and the floating "Code" button beside it. */

import { bindKey } from "./keyboard.js";
import { outsideLabels } from "./labels.js";
import { domPoint, pointOffset, textBetween } from "./lines.js";
import { page } from "./state.js";

const listeners = [];

/** Call `callback()` after each change of page.selection (at most once a frame). */
export function onSelectionChange(callback) {
  listeners.push(callback);
}

function nativeOffsets() {
  const native = window.getSelection();
  if (!native.rangeCount || native.isCollapsed) return null;
  const range = native.getRangeAt(0);
  if (!page.transcript.contains(range.commonAncestorContainer)) return null;
  const start = pointOffset(range.startContainer, range.startOffset, "start");
  const end = pointOffset(range.endContainer, range.endOffset, "end");
  if (start === null || end === null || end <= start) return null;
  const backward =
    native.anchorNode === range.endContainer && native.anchorOffset === range.endOffset;
  return { start, end, range, backward };
}

/** The DOM selection as {start, end, text, rect} (offsets in code points, without a
    speaker label or spaces at its ends), or null when it is empty, outside the transcript,
    or only spaces or a label. */
export function readSelection() {
  const found = nativeOffsets();
  if (!found) return null;
  const [start, end] = outsideLabels(found.start, found.end);
  if (end <= start) return null;
  return { start, end, text: textBetween(start, end), rect: found.range.getBoundingClientRect() };
}

/** Select the text from offset `from` to offset `to` in the DOM (backward: the focus at
    `from`, as after a drag to the left). */
export function selectOffsets(from, to, backward = false) {
  const a = domPoint(from);
  const b = domPoint(to);
  if (!a || !b) return;
  if (backward) window.getSelection().setBaseAndExtent(b[0], b[1], a[0], a[1]);
  else window.getSelection().setBaseAndExtent(a[0], a[1], b[0], b[1]);
}

/** Once a mouse selection is made (a drag, a double or triple click), show it as it will
    be stored: without a speaker label or spaces at its ends. */
function tidyMouseSelection() {
  const found = nativeOffsets();
  if (!found) return;
  const [start, end] = outsideLabels(found.start, found.end);
  if (end <= start || (start === found.start && end === found.end)) return;
  selectOffsets(start, end, found.backward);
}

export function clearSelection() {
  window.getSelection().removeAllRanges();
  page.selection = null;
}

/** Show the floating button under the selection, when there is one and the picker is shut. */
export function placeFloating() {
  const { floating, panel, selection } = page;
  if (!floating) return;
  if (!selection || !page.canWrite || !panel.hidden) {
    floating.hidden = true;
    return;
  }
  const rect = selection.rect;
  floating.hidden = false;
  floating.style.top = Math.min(rect.bottom + 8, window.innerHeight - 48) + "px";
  floating.style.left = Math.max(8, Math.min(rect.right - 40, window.innerWidth - 120)) + "px";
}

export function install() {
  // After the browser's own mouseup handling, which sets the final selection.
  page.transcript.addEventListener("mouseup", () => setTimeout(tidyMouseSelection));
  bindKey("Escape", () => window.getSelection().removeAllRanges(), { inFields: true });
  let pending = false;
  document.addEventListener("selectionchange", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      page.selection = readSelection();
      listeners.forEach((callback) => callback());
      placeFloating();
    });
  });
}

/* The selection in the transcript, in offsets, and the floating "Code" button beside it. */

import { bindKey } from "./keyboard.js";
import { domPoint, pointOffset, textBetween } from "./lines.js";
import { page } from "./state.js";

const listeners = [];

/** Call `callback()` after each change of page.selection (at most once a frame). */
export function onSelectionChange(callback) {
  listeners.push(callback);
}

/** The DOM selection as {start, end, text, rect}, or null when it is empty, outside the
    transcript, or only white space. */
export function readSelection() {
  const native = window.getSelection();
  if (!native.rangeCount || native.isCollapsed) return null;
  const range = native.getRangeAt(0);
  if (!page.transcript.contains(range.commonAncestorContainer)) return null;
  const start = pointOffset(range.startContainer, range.startOffset, "start");
  const end = pointOffset(range.endContainer, range.endOffset, "end");
  if (start === null || end === null || end <= start) return null;
  const text = textBetween(start, end);
  if (!text.trim()) return null;
  return { start, end, text, rect: range.getBoundingClientRect() };
}

/** Select the text from offset `from` to offset `to` in the DOM. */
export function selectOffsets(from, to) {
  const a = domPoint(from);
  const b = domPoint(to);
  if (a && b) window.getSelection().setBaseAndExtent(a[0], a[1], b[0], b[1]);
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

/* The transcript's text as lines, and the mapping between DOM points and offsets.

   Each <p data-o> of the transcript holds one line of the text, starting at offset data-o
   (code points); the characters between two lines are all line breaks (highlight.py leaves
   out only empty lines). Question markers ([data-skip]) sit between lines and hold no text
   of the transcript. */

import { cpLength, unitsFor } from "./offsets.js";
import { page } from "./state.js";

let lineCache = null;

/** [{p, start, end, chars}] in text order; `chars` is the line's code points. */
export function lines() {
  if (!lineCache) {
    lineCache = Array.from(page.transcript.querySelectorAll("p[data-o]"), (p) => {
      const chars = Array.from(p.textContent);
      const start = Number(p.dataset.o);
      return { p, start, end: start + chars.length, chars };
    });
  }
  return lineCache;
}

export function lineOf(element) {
  const p = element && element.closest ? element.closest("p[data-o]") : null;
  return p && page.transcript.contains(p) ? lines().find((line) => line.p === p) : null;
}

/** A point of the DOM (as in a Range) as an offset; a point outside every line snaps to the
    next line's start (for edge "start") or the previous line's end (for "end"), or null. */
export function pointOffset(node, offset, edge) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  const line = lineOf(element);
  if (line) {
    const range = document.createRange();
    range.setStart(line.p, 0);
    range.setEnd(node, offset);
    return line.start + cpLength(range.toString());
  }
  const probe = document.createRange();
  probe.setStart(node, offset);
  if (edge === "start") {
    const next = lines().find((l) => probe.comparePoint(l.p, 0) > 0);
    return next ? next.start : null;
  }
  const before = lines().filter((l) => probe.comparePoint(l.p, l.p.childNodes.length) < 0);
  return before.length ? before[before.length - 1].end : null;
}

/** The DOM point [node, UTF-16 offset] of an offset; one between lines goes to the next
    line's start. */
export function domPoint(offset) {
  for (const line of lines()) {
    if (offset > line.end) continue;
    if (offset < line.start) offset = line.start;
    let rest = offset - line.start;
    const walker = document.createTreeWalker(line.p, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const length = cpLength(node.data);
      if (rest <= length) return [node, unitsFor(node.data, rest)];
      rest -= length;
    }
    return [line.p, line.p.childNodes.length];
  }
  const last = lines()[lines().length - 1];
  return last ? [last.p, last.p.childNodes.length] : null;
}

/** The code point at `offset` ("\n" between lines). */
export function charAt(offset) {
  const line = lines().find((l) => offset >= l.start && offset < l.end);
  return line ? line.chars[offset - line.start] : "\n";
}

/** The transcript's text from `start` to `end` (code points), as the server holds it. */
export function textBetween(start, end) {
  let out = "";
  let cursor = start;
  for (const line of lines()) {
    if (cursor >= end) break;
    if (line.end <= cursor) continue;
    if (cursor < line.start) {
      const gapEnd = Math.min(line.start, end);
      out += "\n".repeat(gapEnd - cursor);
      cursor = gapEnd;
    }
    if (cursor < end && cursor < line.end) {
      const stop = Math.min(end, line.end);
      out += line.chars.slice(cursor - line.start, stop - line.start).join("");
      cursor = stop;
    }
  }
  return out;
}

/** [first offset, last offset] of the text shown. */
export function bounds() {
  const all = lines();
  return all.length ? [all[0].start, all[all.length - 1].end] : [0, 0];
}

export function install() {
  // The server swaps re-rendered lines in after every edit.
  document.addEventListener("htmx:afterSwap", () => (lineCache = null));
  document.addEventListener("htmx:oobAfterSwap", () => (lineCache = null));
}

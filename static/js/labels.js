/* Speaker labels ("P1: ", "Interviewer: ") never start or end a selection: what was said
   is all an excerpt holds. highlight.py draws a turn's label as <b class="who"> at the
   start of the turn's first line. The server trims the same way (coding.services.
   outside_labels), so this is for the user to see what will be stored. */

import { charAt, lines } from "./lines.js";
import { cpLength } from "./offsets.js";

/** The label covering or ending at offset `offset`, as [start, end) in code points, or null. */
function labelAround(offset, atEnd) {
  for (const line of lines()) {
    if (line.start > offset) break;
    if (line.end < offset) continue;
    const who = line.p.querySelector("b.who");
    if (!who) return null;
    const end = line.start + cpLength(who.textContent);
    const inside = atEnd ? offset > line.start && offset <= end : offset >= line.start && offset < end;
    return inside ? [line.start, end] : null;
  }
  return null;
}

/** [start, end] with a speaker label at either end left out, with the spaces that then
    border it; start >= end when only a label was selected. Other spaces at the ends stay,
    so that Shift+→ over a space shows it selected (the server trims them). */
export function outsideLabels(start, end) {
  const first = labelAround(start, false);
  if (first) {
    start = first[1];
    while (start < end && /\s/.test(charAt(start))) start++;
  }
  const last = labelAround(end, true);
  if (last) {
    end = last[0];
    while (end > start && /\s/.test(charAt(end - 1))) end--;
  }
  return [start, end];
}

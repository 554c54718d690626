/* Find in this transcript: the box above the text (#find), "/" to reach it, Enter for the
   next match and Shift+Enter for the previous one (or the ↓ ↑ buttons), Esc back to the
   text. The current match is selected, ready to be coded like any selection; every match
   is painted through the CSS Custom Highlight API (::highlight(find) in the stylesheet),
   which changes nothing in the DOM the other modules read. Case is ignored; the typed
   words match across any run of spaces or line breaks. */

import { bindKey } from "./keyboard.js";
import { bounds, domPoint, textBetween } from "./lines.js";
import { cpLength } from "./offsets.js";
import { selectOffsets } from "./selection.js";

let matches = []; // [start, end] in code points, in text order
let current = -1;
let box, count;

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function findAll(needle) {
  const words = needle.trim().split(/\s+/).filter(Boolean).map(escapeRegExp);
  if (!words.length) return [];
  const [first] = bounds();
  const text = textBetween(...bounds());
  const pattern = new RegExp(words.join("\\s+"), "giu");
  const found = [];
  let units = 0; // UTF-16 units of `text` counted so far, and their code points
  let points = first;
  for (const match of text.matchAll(pattern)) {
    points += cpLength(text.slice(units, match.index));
    units = match.index;
    found.push([points, points + cpLength(match[0])]);
  }
  return found;
}

function paint() {
  if (!window.CSS || !CSS.highlights) return;
  const ranges = matches.map(([start, end]) => {
    const range = document.createRange();
    range.setStart(...domPoint(start));
    range.setEnd(...domPoint(end));
    return range;
  });
  CSS.highlights.set("find", new Highlight(...ranges));
}

function show() {
  if (!box.value.trim()) count.textContent = "";
  else if (!matches.length) count.textContent = "No match";
  else count.textContent = current < 0 ? `${matches.length} found` : `${current + 1} of ${matches.length}`;
}

function search() {
  matches = findAll(box.value);
  current = -1;
  paint();
  show();
}

/** Go to the next (delta 1) or previous (delta -1) match, around the ends. */
function step(delta) {
  if (!matches.length) return;
  current = current < 0 && delta < 0 ? matches.length - 1 : (current + delta + matches.length) % matches.length;
  const [start, end] = matches[current];
  selectOffsets(start, end);
  const [node] = domPoint(start);
  (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement).scrollIntoView({ block: "center" });
  show();
}

export function install() {
  const form = document.getElementById("find");
  if (!form) return;
  box = form.querySelector("input");
  count = form.querySelector("output");
  box.addEventListener("input", search);
  form.addEventListener("submit", (event) => event.preventDefault());
  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      step(event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape") {
      event.preventDefault();
      document.getElementById("transcript").focus({ preventScroll: true });
    }
  });
  form.querySelectorAll("[data-find]").forEach((button) =>
    button.addEventListener("click", () => step(Number(button.dataset.find)))
  );
  // The text is drawn again after every edit: the matches' ranges go with it.
  document.addEventListener("htmx:afterSwap", () => box.value.trim() && search());
  bindKey("/", () => {
    box.focus();
    box.select();
  });
}

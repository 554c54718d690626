/* Opening excerpts: a click on a highlight (without dragging a selection), Enter on a
   focused highlight, an entry of the side list, [ and ], or a link ending in #x<id>. The
   side panel (#excerpt-detail) then shows the excerpt; page.current is its id. */

import { caretOffset, placeCaret } from "./caret.js";
import { coveringNode, coveringOffset, innermost } from "./covering.js";
import { bindKey } from "./keyboard.js";
import { textBetween } from "./lines.js";
import { page } from "./state.js";

function detailUrl(id) {
  return page.transcript.dataset.detailUrl.replace(/\/0\/$/, "/" + id + "/");
}

/** Mark excerpt `id` (or none, with null) as the open one, in the text and the side list. */
export function markOpen(id) {
  document.querySelectorAll(".on[data-x]").forEach((el) => el.classList.remove("on"));
  page.current = id;
  pressChoice();
  if (id === null) return;
  document.querySelectorAll('[data-x="' + id + '"]').forEach((el) => {
    if (el.matches("mark, li")) el.classList.add("on");
  });
}

/** Show excerpt `id` in the side panel; `scroll` brings its words into view. */
export function openExcerpt(id, scroll) {
  markOpen(id);
  htmx.ajax("GET", detailUrl(id), { target: "#excerpt-detail", swap: "outerHTML" });
  const mark = page.transcript.querySelector('mark[data-x="' + id + '"]');
  if (scroll && mark) mark.scrollIntoView({ block: "center" });
  const item = document.getElementById("ex-" + id);
  if (item) item.scrollIntoView({ block: "nearest" });
}

/** Open the next (delta 1) or previous (-1) excerpt of the side list. */
export function stepExcerpt(delta) {
  const items = Array.from(document.querySelectorAll("#excerpt-list li[data-x]"));
  if (!items.length) return;
  let index = items.findIndex((li) => li.dataset.x === page.current);
  index = index < 0 ? (delta > 0 ? 0 : items.length - 1) : index + delta;
  index = Math.max(0, Math.min(items.length - 1, index));
  offerChoice([]);
  openExcerpt(items[index].dataset.x, true);
  placeCaret(Number(items[index].dataset.start));
}

// The server appends a new excerpt's entry to the side list; the list keeps itself in text
// order and counts its entries, which saves the server two queries per edit.
let tidying = false;
function tidyList() {
  if (tidying) return;
  tidying = true;
  requestAnimationFrame(() => {
    tidying = false;
    const list = document.getElementById("excerpt-list");
    if (!list) return;
    const items = Array.from(list.children);
    const key = (li) => [Number(li.dataset.start), Number(li.dataset.end), Number(li.dataset.x)];
    const sorted = items.slice().sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
    });
    if (sorted.some((li, i) => li !== items[i])) list.replaceChildren(...sorted);
    const count = document.getElementById("excerpt-count");
    if (count) count.textContent = String(items.length);
    markOpen(page.current);
  });
}

/** Offer every excerpt of `list` (innermost first) in #covering, the open one pressed;
    fewer than two hides it. */
export function offerChoice(list) {
  const nav = document.getElementById("covering");
  if (!nav) return;
  if (list.length < 2) {
    nav.hidden = true;
    nav.replaceChildren();
    return;
  }
  const head = document.createElement("p");
  head.textContent = list.length + " excerpts cover this point:";
  const buttons = list.map((excerpt, index) => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link";
    button.dataset.open = excerpt.id;
    button.textContent = (index === 0 ? "innermost: " : "") + "“" + snippet(excerpt) + "” " +
      (excerpt.codes ? "(" + excerpt.codes + ")" : "(no codes)");
    return button;
  });
  nav.replaceChildren(head, ...buttons);
  nav.hidden = false;
  pressChoice();
}

function pressChoice() {
  document.querySelectorAll("#covering [data-open]").forEach((button) => {
    button.setAttribute("aria-pressed", String(button.dataset.open === page.current));
  });
}

function snippet(excerpt) {
  const words = textBetween(excerpt.start, excerpt.end).replace(/\s+/g, " ").trim();
  return words.length > 60 ? words.slice(0, 28) + " … " + words.slice(-28) : words;
}

/** Open the innermost excerpt covering the code point at `offset`, offering the others;
    false when none covers it. */
export function openAt(offset) {
  const list = coveringOffset(offset);
  if (!list.length) return false;
  openExcerpt(innermost(list), false);
  offerChoice(list);
  return true;
}

export function install() {
  const transcript = page.transcript;
  transcript.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-x]");
    if (!mark || !window.getSelection().isCollapsed) return;
    const list = coveringNode(event.target);
    openExcerpt(innermost(list), false);
    offerChoice(list);
  });
  transcript.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) return;
    const offset = caretOffset();
    if (offset !== null && openAt(offset)) event.preventDefault();
  });
  const choices = document.getElementById("covering");
  if (choices) {
    choices.addEventListener("click", (event) => {
      const button = event.target.closest("[data-open]");
      if (button) openExcerpt(button.dataset.open, false);
    });
  }

  document.getElementById("excerpt-list").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-x]");
    if (!link || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    offerChoice([]);
    openExcerpt(link.dataset.x, true);
  });

  bindKey("]", () => stepExcerpt(1));
  bindKey("n", () => stepExcerpt(1));
  bindKey("[", () => stepExcerpt(-1));
  bindKey("p", () => stepExcerpt(-1));

  const linked = /^#x(\d+)$/.exec(window.location.hash);
  if (linked && transcript.querySelector('mark[data-x="' + linked[1] + '"]')) {
    openExcerpt(linked[1], true);
  }

  document.addEventListener("htmx:oobAfterSwap", tidyList);
  document.addEventListener("htmx:afterSettle", tidyList);
  document.addEventListener("htmx:afterSettle", () => {
    markOpen(page.current);
    const detail = document.getElementById("excerpt-detail");
    if (detail && !detail.dataset.x && page.current !== null) markOpen(null);
  });
}

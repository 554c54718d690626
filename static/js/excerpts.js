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

/** Where an excerpt stands in text order: [start, end, id], compared by `compare`. */
function keyOf(li) {
  return [Number(li.dataset.start), Number(li.dataset.end), Number(li.dataset.x)];
}

function parseKey(text) {
  return text ? text.split(",").map(Number) : null;
}

function compare(x, y) {
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The open excerpt's key, read from its highlight, when its entry is on another page. */
function currentKey() {
  const mark = page.current && page.transcript.querySelector('mark[data-x="' + page.current + '"]');
  return mark ? [Number(mark.dataset.s), Number(mark.dataset.e), Number(page.current)] : null;
}

// N or P that went past the end of the page: the step (1 or -1) to take again once the
// next or previous page of the side list is in.
let stepOnArrival = 0;

/** Open the next (delta 1) or previous (-1) excerpt of the side list, in text order: at
    either end of the page shown, the next or previous page comes in and the step goes on
    from there (from wherever the open excerpt stands in the text, if it is not listed). */
export function stepExcerpt(delta) {
  const items = Array.from(document.querySelectorAll("#excerpt-list li[data-x]"));
  let index = items.findIndex((li) => li.dataset.x === page.current);
  const here = index < 0 ? currentKey() : null;
  if (here) {
    const after = items.findIndex((li) => compare(keyOf(li), here) > 0);
    index = (after < 0 ? items.length : after) - (delta > 0 ? 0 : 1);
  } else if (index < 0) {
    index = delta > 0 ? 0 : items.length - 1;
  } else {
    index += delta;
  }
  if (index < 0 || index >= items.length) {
    const link = document.getElementById(delta > 0 ? "excerpts-next" : "excerpts-prev");
    if (link) {
      stepOnArrival = delta;
      link.click();
    }
    return;
  }
  offerChoice([]);
  openExcerpt(items[index].dataset.x, true);
  placeCaret(Number(items[index].dataset.start));
}

function arrived() {
  const delta = stepOnArrival;
  stepOnArrival = 0;
  if (delta) stepExcerpt(delta);
}

// The server appends a new excerpt's entry to the side list; the list keeps itself in text
// order and counts its entries, which saves the server two queries per edit. The list is
// one page of the excerpts: an entry that belongs to another page (before data-after or
// from data-before on) leaves it, and the heading counts the excerpts of the other pages
// (data-elsewhere) with those shown.
let tidying = false;
function tidyList() {
  if (tidying) return;
  tidying = true;
  requestAnimationFrame(() => {
    tidying = false;
    const list = document.getElementById("excerpt-list");
    if (!list) return;
    const after = parseKey(list.dataset.after);
    const before = parseKey(list.dataset.before);
    let elsewhere = Number(list.dataset.elsewhere || 0);
    const items = Array.from(list.children).filter((li) => {
      const key = keyOf(li);
      if ((after && compare(key, after) <= 0) || (before && compare(key, before) >= 0)) {
        li.remove();
        elsewhere += 1;
        return false;
      }
      return true;
    });
    list.dataset.elsewhere = String(elsewhere);
    const sorted = items.slice().sort((a, b) => compare(keyOf(a), keyOf(b)));
    if (sorted.some((li, i) => li !== items[i])) list.replaceChildren(...sorted);
    const count = document.getElementById("excerpt-count");
    if (count) count.textContent = String(items.length + elsewhere);
    markOpen(page.current);
  });
}

/** An edit removed an excerpt whose entry is on another page of the side list. */
function removedElsewhere(event) {
  const content = event.detail && event.detail.content;
  const list = document.getElementById("excerpt-list");
  if (!list || !content || !/^ex-\d+$/.test(content.id || "")) return;
  list.dataset.elsewhere = String(Math.max(0, Number(list.dataset.elsewhere || 0) - 1));
  tidyList();
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

  // On the document: paging replaces the list.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#excerpt-list a[data-x]");
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
  document.addEventListener("htmx:oobErrorNoTarget", removedElsewhere);
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.elt && event.detail.elt.id === "excerpt-side") {
      // Keyboard users keep their place: htmx gives focus back to the pager link of the
      // same id; on the first or last page, where it is gone, to the list's heading.
      if (document.activeElement === document.body) {
        document.getElementById("excerpt-title").focus({ preventScroll: true });
      }
      arrived();
    }
  });
  // The page's modules hold on to its elements: a Back that htmx cannot restore from its
  // cache (none is kept) reloads the whole page rather than swapping a new body in.
  htmx.config.refreshOnHistoryMiss = true;
  document.addEventListener("htmx:afterSettle", tidyList);
  document.addEventListener("htmx:afterSettle", () => {
    markOpen(page.current);
    const detail = document.getElementById("excerpt-detail");
    if (detail && !detail.dataset.x && page.current !== null) markOpen(null);
  });
}

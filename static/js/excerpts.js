/* Opening excerpts: a click on a highlight (without dragging a selection), Enter on a
   focused highlight, an entry of the side list, [ and ], or a link ending in #x<id>. The
   side panel (#excerpt-detail) then shows the excerpt; page.current is its id. */

import { bindKey } from "./keyboard.js";
import { page } from "./state.js";

function detailUrl(id) {
  return page.transcript.dataset.detailUrl.replace(/\/0\/$/, "/" + id + "/");
}

/** Mark excerpt `id` (or none, with null) as the open one, in the text and the side list. */
export function markOpen(id) {
  document.querySelectorAll(".on[data-x]").forEach((el) => el.classList.remove("on"));
  page.current = id;
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
  openExcerpt(items[index].dataset.x, true);
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

export function install() {
  const transcript = page.transcript;
  transcript.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-x]");
    if (!mark || !window.getSelection().isCollapsed) return;
    openExcerpt(mark.dataset.x, false);
  });

  const tip = document.createElement("div");
  tip.className = "tip";
  tip.hidden = true;
  document.body.append(tip);
  transcript.addEventListener("focusin", (event) => {
    const mark = event.target.closest && event.target.closest("mark[data-x]");
    if (!mark) return;
    const rect = mark.getBoundingClientRect();
    tip.textContent = mark.title;
    tip.style.left = rect.left + "px";
    tip.style.top = rect.bottom + 6 + "px";
    tip.hidden = false;
  });
  transcript.addEventListener("focusout", () => (tip.hidden = true));
  transcript.addEventListener("keydown", (event) => {
    const mark = event.target.closest && event.target.closest("mark[data-x]");
    if (mark && event.key === "Enter") {
      event.preventDefault();
      openExcerpt(mark.dataset.x, false);
    }
  });

  document.getElementById("excerpt-list").addEventListener("click", (event) => {
    const link = event.target.closest("a[data-x]");
    if (!link || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    openExcerpt(link.dataset.x, true);
  });

  bindKey("]", () => stepExcerpt(1));
  bindKey("[", () => stepExcerpt(-1));

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

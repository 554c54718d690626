/* Which excerpts cover a point of the text, and the one description element that names
   them (#excerpt-desc, the transcript's aria-describedby; highlights carry no title).

   Every highlight piece (<mark data-x data-s data-e data-codes>) tells its excerpt's id,
   extent (code points) and code names; where excerpts overlap, their marks nest, so the
   marks around a point are exactly the excerpts covering it. */

import { lines } from "./lines.js";
import { page } from "./state.js";

/**
 * @typedef {{id: string, start: number, end: number, codes: string}} Covering
 */

function fromMark(mark) {
  return {
    id: mark.dataset.x,
    start: Number(mark.dataset.s),
    end: Number(mark.dataset.e),
    codes: mark.dataset.codes || "",
  };
}

/** Innermost first: the shortest excerpt, then the one starting last, then the newest. */
function byDepth(list) {
  return list.sort(
    (a, b) => a.end - a.start - (b.end - b.start) || b.start - a.start || Number(b.id) - Number(a.id),
  );
}

/** The excerpts covering the text at `node` (a text node or an element in the
    transcript), innermost first. */
export function coveringNode(node) {
  const out = [];
  const seen = new Set();
  let element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
  for (; element && element !== page.transcript; element = element.parentElement) {
    if (element.matches("mark[data-x]") && !seen.has(element.dataset.x)) {
      seen.add(element.dataset.x);
      out.push(fromMark(element));
    }
  }
  return byDepth(out);
}

/** The excerpts covering the code point at `offset`, innermost first. */
export function coveringOffset(offset) {
  const line = lines().find((l) => offset >= l.start && offset < l.end);
  if (!line) return [];
  const found = new Map();
  line.p.querySelectorAll("mark[data-x]").forEach((mark) => {
    const excerpt = fromMark(mark);
    if (excerpt.start <= offset && offset < excerpt.end) found.set(excerpt.id, excerpt);
  });
  return byDepth([...found.values()]);
}

/** The id of the innermost excerpt of `list`, or null. */
export function innermost(list) {
  return list.length ? list[0].id : null;
}

function codesOf(excerpt) {
  return excerpt.codes || "No codes yet";
}

/** Name the excerpts of `list` in the description, shown below `rect`; an empty list hides
    and empties it. */
export function describe(list, rect) {
  const box = document.getElementById("excerpt-desc");
  if (!box) return;
  if (!list.length) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }
  const parts = [];
  if (list.length > 1) {
    const head = document.createElement("p");
    head.textContent = list.length + " excerpts here, innermost first:";
    parts.push(head);
  }
  for (const excerpt of list) {
    const p = document.createElement("p");
    p.textContent = codesOf(excerpt);
    parts.push(p);
  }
  box.replaceChildren(...parts);
  box.hidden = false;
  if (rect) {
    box.style.left = Math.max(8, Math.min(rect.left, window.innerWidth - box.offsetWidth - 8)) + "px";
    box.style.top = rect.bottom + 6 + "px";
  }
}

export function install() {
  const transcript = page.transcript;
  transcript.addEventListener("mouseover", (event) => {
    const mark = event.target.closest && event.target.closest("mark[data-x]");
    describe(mark ? coveringNode(mark) : [], mark && mark.getBoundingClientRect());
  });
  transcript.addEventListener("mouseleave", () => {
    if (document.activeElement !== transcript) describe([]);
  });
}

/* What is being coded, while the picker is open: the selected words keep a highlight of
   their own (the CSS Custom Highlight API, so the text's DOM is untouched; the filter box
   holds the DOM selection meanwhile), and the side panel shows those words instead of the
   excerpt it showed before, which comes back if the picker is closed without coding. */

import { markOpen } from "./excerpts.js";
import { domPoint } from "./lines.js";
import { page } from "./state.js";

const NAME = "pending-excerpt"; // styled by ::highlight(pending-excerpt) in excerpta.css
let before = null; // {nodes, id, current}: the side panel as it was

/** Highlight `selection` ({start, end, text}, code points) and show it in the side panel. */
export function showPending(selection) {
  const a = domPoint(selection.start);
  const b = domPoint(selection.end);
  if (a && b && window.CSS && CSS.highlights && window.Highlight) {
    const range = document.createRange();
    range.setStart(a[0], a[1]);
    range.setEnd(b[0], b[1]);
    CSS.highlights.set(NAME, new Highlight(range));
  }
  const detail = document.getElementById("excerpt-detail");
  if (!detail) return;
  if (before === null) {
    before = { nodes: [...detail.childNodes], id: detail.dataset.x, current: page.current };
  }
  const head = document.createElement("header");
  head.className = "detail-head";
  const title = document.createElement("h2");
  title.textContent = "New excerpt";
  head.append(title);
  const quote = document.createElement("blockquote");
  quote.className = "quote";
  const words = selection.text.trim();
  quote.textContent = words.length > 700 ? words.slice(0, 699) + "…" : words;
  const hint = document.createElement("p");
  hint.className = "muted small";
  hint.textContent = "Being coded: pick its codes in the box by the text.";
  detail.replaceChildren(head, quote, hint);
  delete detail.dataset.x;
  detail.dataset.pending = "";
  markOpen(null);
}

/** Drop the highlight; with `restore`, put back the side panel as it was (the picker was
    closed without coding); without, the server's answer has replaced it. */
export function hidePending({ restore }) {
  if (window.CSS && CSS.highlights) CSS.highlights.delete(NAME);
  const detail = document.getElementById("excerpt-detail");
  if (before !== null && detail && restore && detail.hasAttribute("data-pending")) {
    detail.replaceChildren(...before.nodes);
    if (before.id) detail.dataset.x = before.id;
    markOpen(before.current);
  }
  if (detail) delete detail.dataset.pending;
  before = null;
}

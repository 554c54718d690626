/* Keyboard users keep their place when htmx redraws the region that holds the focus (a
   theme's page, the themes list, the codebook, comments, memos): the swap replaces the
   focused control, and focus would otherwise fall to <body>, the next Tab starting from the
   top of the page.

   Before the request (htmx:configRequest: sending.js disables the form's buttons at
   htmx:beforeRequest, and a disabled button loses the focus) the focused control inside
   the swap's target is noted by what it does, not by the node: its id, or the form it
   submits (action, name, value), or the link it follows, within the nearest region with
   an id (a quote's "Remove from quotes" and its excerpt's "Chosen as a quote: remove" post
   the same form, in different regions). With it go the controls after it in its list,
   then after it in its section, then the section's heading, then
   anything after it in the target. After the swap, focus goes to:
   - the same control in its new place (a moved quote's or theme's ↑, a chosen excerpt's
     button, now its "remove"); disabled there (↑ at the top), the form's other button;
   - else the Undo of a message the answer put in the region (the codebook's, after a code
     deleted or merged), to take it back at once;
   - else the first of the noted controls still there: the next item after a removed one,
     or the add control after the list, or the heading of the list when none is left.
   htmx itself gives focus back to an element of the same id; then nothing is done here.
   What happened is said by the live regions in #flash (_flash.html), as before. */

const FOCUSABLE = "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";

let noted = null; // {target id, keys: [key of the control, then its fallbacks]}

// Where `element` sits, by what it does: stable across a redraw that replaces every node.
function keyOf(element, target) {
  if (element.id) return "#" + element.id;
  const region = element.parentElement && element.parentElement.closest("[id]");
  const where = region && target.contains(region) ? region.id : "";
  const form = element.form || element.closest("form");
  const does = [
    element.tagName,
    form ? form.getAttribute("hx-post") || form.getAttribute("action") || "" : "",
    element.getAttribute("name") || "",
    element.tagName === "BUTTON" ? element.getAttribute("value") || "" : "",
    element.getAttribute("hx-get") || element.getAttribute("hx-post") || element.getAttribute("href") || "",
    // The one thing that tells a theme's × apart, each in the same form with its own code.
    element.getAttribute("aria-label") || "",
  ];
  // A control that does nothing of its own (a summary) is told apart by its words.
  if (!form && !does[4]) does.push(element.textContent.trim());
  return where + "|" + does.join("|");
}

function find(key, target) {
  const scope = document.getElementById(target) || document;
  if (key.startsWith("#")) return document.getElementById(key.slice(1));
  return [...scope.querySelectorAll(FOCUSABLE)].find((e) => keyOf(e, scope) === key) || null;
}

function usable(element) {
  return element && element.isConnected && !element.disabled && !element.closest("[hidden], details:not([open]) > :not(summary)");
}

// The controls after `control` within `container`, in document order.
function after(control, container) {
  if (!container) return [];
  return [...container.querySelectorAll(FOCUSABLE)].filter(
    (e) => control.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING && !control.contains(e),
  );
}

function note(event) {
  const target = event.detail.target;
  const control = document.activeElement;
  if (!target || !target.id || !control || control === document.body || !target.contains(control)) {
    noted = null;
    return;
  }
  const list = control.closest("li") && control.closest("li").parentElement;
  const section = control.closest("section");
  const heading = section && section.getAttribute("aria-labelledby");
  const keys = [control, ...after(control, list), ...after(control, section)].map((e) => keyOf(e, target));
  if (heading && target.contains(document.getElementById(heading))) keys.push("#" + heading);
  // A whole section gone (a theme removed): the next one.
  keys.push(...after(control, target).map((e) => keyOf(e, target)));
  noted = { target: target.id, keys };
}

function restore(event) {
  // Only the settle of the region the request redraws: another answer (a panel loading
  // itself) may settle while this one is still out, its buttons disabled by sending.js.
  if (!noted || !event.target.isConnected || event.target.id !== noted.target) return;
  const { target, keys } = noted;
  noted = null;
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return; // htmx did, by id
  let [first, ...rest] = keys.map((key) => find(key, target));
  if (first && first.disabled) {
    // ↑ at the top, ↓ at the bottom: the other arrow of the same item.
    const form = first.form || first.closest("form");
    first = form && [...form.querySelectorAll("button")].find((b) => !b.disabled);
  }
  // The control gone with what it acted on (a code deleted, merged): the Undo of the
  // message the answer put in the region, to take it back at once; the next item else.
  const region = document.getElementById(target);
  const undo = !usable(first) && region && region.querySelector("[role=status] [data-undo]");
  const chosen = [first, undo, ...rest].find(usable);
  if (!chosen) return;
  if (chosen.matches("h1, h2, h3, h4") && !chosen.hasAttribute("tabindex")) chosen.tabIndex = -1;
  chosen.focus();
}

export function install() {
  document.addEventListener("htmx:configRequest", note);
  document.addEventListener("htmx:afterSettle", restore);
}

/* A form while htmx sends it. Its submit buttons are disabled until the answer comes: htmx
   drops a second submit of a form whose request is still out, so a click then would do
   nothing and say nothing. And what the user types meanwhile survives the answer: an add
   form (a protocol question, a respondent, a code, a theme, a memo, a comment...) sits
   inside the region its answer replaces, so the swap would put back the server's form
   (emptied after an add, or holding what was sent) over the words typed since. Each field
   whose value changed after sending is carried into the form that replaces it; the other
   fields take the server's values, as before.

   An edit form (data-edit: a row's Edit turned into a form, a memo's, a quote's words) is
   the other way round: a save that succeeds puts the row's text in its place, so there is
   no form to carry newer words into, and they would go without a word. So such a form
   takes nothing while its save is out: its fields are read-only (those that cannot be,
   a select, a checkbox, disabled), greyed by the stylesheet, with its "Saving…" note
   shown; if the save is refused or fails it comes back as it was, to be corrected.

   Its links (a Cancel) are held too, disabled and greyed: the save is on its way and lands
   whatever the page shows, so a Cancel then put the row's old words back while the new
   ones were being saved, and the answer, its target gone, never showed them (a code's
   did, jumping in later). */

const sent = new WeakMap(); // form -> {values, disabled: [buttons], held: [undo functions]}

// Inputs that take readOnly; the others (select, checkbox, radio, color, range) ignore it.
const TYPED = ["text", "search", "email", "url", "tel", "number", "password", "date", "time", "datetime-local", "month", "week"];

// Make an edit form's fields and links take nothing; returns how to undo each change.
function hold(form) {
  const held = [];
  for (const field of fields(form).values()) {
    const typed = field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && TYPED.includes(field.type));
    const property = typed ? "readOnly" : "disabled";
    if (field[property]) continue;
    // The request's values were read before htmx:beforeRequest, so a disabled field is still sent.
    field[property] = true;
    held.push(() => (field[property] = false));
  }
  for (const link of form.querySelectorAll("a[href]:not([aria-disabled])")) {
    // A link has no disabled property: aria-disabled says it, the click listener below
    // keeps its click from htmx and from the browser, and it leaves the tab order.
    const tabindex = link.getAttribute("tabindex");
    link.setAttribute("aria-disabled", "true");
    link.setAttribute("tabindex", "-1");
    held.push(() => {
      link.removeAttribute("aria-disabled");
      if (tabindex === null) link.removeAttribute("tabindex");
      else link.setAttribute("tabindex", tabindex);
    });
  }
  return held;
}

// The fields a user types into or picks, keyed by name and rank among fields of that name.
function fields(form) {
  const seen = new Map();
  const out = new Map();
  for (const field of form.elements) {
    if (!field.name || field.disabled || ["submit", "button", "file", "hidden"].includes(field.type)) continue;
    const rank = seen.get(field.name) || 0;
    seen.set(field.name, rank + 1);
    out.set(field.name + "#" + rank, field);
  }
  return out;
}

const valueOf = (field) => (field.type === "checkbox" || field.type === "radio" ? field.checked : field.value);

function setValue(field, value) {
  if (field.type === "checkbox" || field.type === "radio") field.checked = value;
  else field.value = value;
}

// Which form a form is: its address and its fields' names and types, with the values of
// its hidden ones (a reply form's thread, a member's role form's username) but the CSRF
// token's, which differs at each rendering. The form that replaces one is the one with
// its signature, at its place among those that share it.
function signature(form) {
  const parts = [...form.elements]
    .filter((el) => el.name && el.name !== "csrfmiddlewaretoken")
    .map((el) => [el.name, el.type, el.type === "hidden" ? el.value : ""].join("="));
  return [form.getAttribute("action"), ...parts].join("&");
}

const alike = (own) => [...document.querySelectorAll("form")].filter((f) => signature(f) === own);

let carrying = null; // {form, signature, rank, typed: Map(key -> value)}: from beforeSwap to afterSwap

export function install() {
  // In the capture phase, before htmx's listener on the link itself (an hx-get Cancel).
  document.addEventListener(
    "click",
    (event) => {
      if (!(event.target instanceof Element) || !event.target.closest("form[data-edit] a[aria-disabled=true]")) return;
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement)) return;
    const values = new Map([...fields(form)].map(([key, field]) => [key, valueOf(field)]));
    // Those already disabled (the first question's "Move up") stay so afterwards.
    const disabled = [...form.elements].filter((el) => el.type === "submit" && !el.disabled);
    disabled.forEach((button) => (button.disabled = true));
    const held = form.hasAttribute("data-edit") ? hold(form) : [];
    sent.set(form, { values, disabled, held });
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const state = sent.get(event.detail.requestConfig && event.detail.requestConfig.elt);
    if (!state) return;
    state.disabled.forEach((button) => (button.disabled = false));
    state.held.forEach((undo) => undo());
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.requestConfig && event.detail.requestConfig.elt;
    const state = sent.get(form);
    carrying = null;
    if (!state) return;
    const typed = new Map();
    for (const [key, field] of fields(form)) {
      if (state.values.has(key) && valueOf(field) !== state.values.get(key)) typed.set(key, valueOf(field));
    }
    const own = signature(form);
    if (typed.size) carrying = { form, signature: own, rank: alike(own).indexOf(form), typed };
  });

  document.addEventListener("htmx:afterSwap", () => {
    if (!carrying) return;
    const { form, rank, signature: own, typed } = carrying;
    carrying = null;
    if (form.isConnected) return; // not replaced: it kept what was typed
    const replacement = alike(own)[rank];
    if (!replacement) return;
    const now = fields(replacement);
    for (const [key, value] of typed) if (now.has(key)) setValue(now.get(key), value);
  });
}

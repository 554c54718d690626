/* The code picker (#code-panel): find a code by typing, pick one or several (shown as
   chips that unpick), or create one by its new name, and apply them to the selection (a new
   excerpt) or to the open excerpt. The server answers with the changed lines and fires
   "excerptSaved"; or, for a new name close to an existing code's, with a warning that
   offers that code (#picker-warning), and nothing is saved.

   While the picker is open for a selection, the filter box holds the DOM selection, so the
   selected words are drawn with a highlight of their own (pending.js) and the side panel
   shows them instead of the excerpt it showed before. */

import { resetCaret } from "./caret.js";
import { markOpen } from "./excerpts.js";
import { hidePending, showPending } from "./pending.js";
import { showFlash } from "./flash.js";
import { bindKey } from "./keyboard.js";
import { clearSelection, placeFloating, readSelection, selectOffsets } from "./selection.js";
import { page, shownExcerpt } from "./state.js";

let mode = null; // what the picker applies to: {kind: "new", selection} or {kind: "add", id}

const optionList = () => document.getElementById("code-options");

function visibleOptions() {
  return Array.from(optionList().querySelectorAll("li[role=option]:not([hidden])"));
}

function setActive(option) {
  optionList().querySelectorAll("li.active").forEach((li) => li.classList.remove("active"));
  if (!option) {
    page.filter.removeAttribute("aria-activedescendant");
    return;
  }
  option.classList.add("active");
  page.filter.setAttribute("aria-activedescendant", option.id);
  option.scrollIntoView({ block: "nearest" });
}

// Names compared as the server compares them (interviews.naming.name_key): NFC, spaces
// tidied, case folded (toLowerCase, which is close enough to Python's casefold here).
const nameKey = (name) =>
  name.normalize("NFD").toLowerCase().normalize("NFC").split(/\s+/).filter(Boolean).join(" ");

function applyFilter() {
  const typed = page.filter.value.trim();
  const wanted = nameKey(typed);
  const words = wanted.split(" ").filter(Boolean);
  let exact = false;
  optionList().querySelectorAll("li[data-id]").forEach((li) => {
    const name = nameKey(li.dataset.name);
    li.hidden = !words.every((word) => name.includes(word));
    if (name === wanted) exact = true;
  });
  const create = document.getElementById("opt-new");
  create.hidden = !typed || exact;
  create.querySelector("span").textContent = typed;
  setActive(visibleOptions()[0] || null);
}

function openPicker(newMode, rect) {
  const { panel, filter } = page;
  if (!page.canWrite || !panel) return;
  mode = newMode;
  panel.hidden = false;
  page.floating.hidden = true;
  filter.value = "";
  optionList()
    .querySelectorAll('[aria-selected="true"]')
    .forEach((li) => li.setAttribute("aria-selected", "false"));
  renderChips();
  hideWarning();
  applyFilter();
  if (newMode.kind === "new") showPending(newMode.selection);
  const width = panel.offsetWidth || 352;
  const top = rect ? rect.bottom + 8 : 120;
  const left = Math.min(rect ? rect.left : 200, window.innerWidth - width - 8);
  panel.style.left = Math.max(8, left) + "px";
  panel.style.top = Math.max(8, Math.min(top, window.innerHeight - panel.offsetHeight - 8)) + "px";
  filter.focus();
}

/** Close the picker; false when it was not open. */
export function closePicker() {
  const panel = page.panel;
  if (!panel || panel.hidden) return false;
  panel.hidden = true;
  const closed = mode;
  mode = null;
  hidePending({ restore: true });
  page.transcript.focus({ preventScroll: true });
  // The filter box took the DOM selection; give the user theirs back.
  if (closed && closed.kind === "new") selectOffsets(closed.selection.start, closed.selection.end);
  placeFloating();
  return true;
}

/** Open the picker for the selection, or else for the open excerpt. */
export function startCoding() {
  if (!page.canWrite) return;
  // Read the selection now: the copy kept on selectionchange lags a frame behind keys.
  const selection = (page.selection = readSelection());
  if (selection) {
    openPicker({ kind: "new", selection }, selection.rect);
  } else if (shownExcerpt() !== null) {
    // The excerpt the panel shows, which is the one the user sees the codes of.
    const id = shownExcerpt();
    const mark = page.transcript.querySelector('mark[data-x="' + id + '"]');
    openPicker({ kind: "add", id }, mark ? mark.getBoundingClientRect() : null);
  } else {
    showFlash(
      "Select a passage first (with the mouse, or Shift and the arrow keys in the text).",
      "info",
    );
  }
}

function togglePick(option) {
  if (!option) return;
  const picked = option.getAttribute("aria-selected") === "true";
  option.setAttribute("aria-selected", picked ? "false" : "true");
  renderChips();
}

/** One chip per picked code, each with a button that unpicks it. */
function renderChips() {
  const box = document.getElementById("picked");
  if (!box) return;
  const chips = Array.from(optionList().querySelectorAll('li[aria-selected="true"]'), (option) => {
    const name = option.hasAttribute("data-new")
      ? page.filter.value.trim() + " (new)"
      : option.dataset.name;
    const li = document.createElement("li");
    li.className = "chip";
    const swatch = option.querySelector(".swatch");
    if (swatch) li.append(swatch.cloneNode());
    li.append(name);
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "icon";
    remove.dataset.unpick = option.id;
    remove.setAttribute("aria-label", "Unpick " + name);
    remove.textContent = "×";
    li.append(remove);
    return li;
  });
  box.replaceChildren(...chips);
  box.hidden = !chips.length;
}

function hideWarning() {
  const warning = document.getElementById("picker-warning");
  if (!warning) return;
  warning.hidden = true;
  warning.replaceChildren();
}

function applyPicked({ confirmNew = false } = {}) {
  const { transcript, filter } = page;
  let chosen = Array.from(optionList().querySelectorAll('li[aria-selected="true"]'));
  const active = optionList().querySelector("li.active");
  if (!chosen.length && active) chosen = [active];
  if (!chosen.length) {
    showFlash("Type the name of a code to find it, or a new name to create one.", "info");
    return;
  }
  const values = { code: [] };
  for (const option of chosen) {
    if (option.hasAttribute("data-new")) values.new_code = filter.value.trim();
    else values.code.push(option.dataset.id);
  }
  if (confirmNew) values.confirm_new = "1";
  let url;
  if (mode.kind === "new") {
    const s = mode.selection;
    Object.assign(values, {
      start: s.start,
      end: s.end,
      text: s.text,
      version: transcript.dataset.version,
    });
    url = transcript.dataset.createUrl;
  } else {
    url = transcript.dataset.addUrl.replace(/\/0\/codes\/$/, "/" + mode.id + "/codes/");
  }
  htmx.ajax("POST", url, { source: page.panel, values, swap: "none" });
}

export function install() {
  const { panel, filter, floating } = page;
  bindKey("Escape", () => closePicker(), { inFields: true });
  bindKey("c", startCoding);
  bindKey("C", startCoding);
  document.addEventListener("excerptSaved", (event) => {
    if (panel) panel.hidden = true;
    mode = null;
    hidePending({ restore: false });
    clearSelection();
    resetCaret();
    markOpen(String(event.detail.value));
    placeFloating();
    page.transcript.focus({ preventScroll: true });
  });
  if (!panel) return;
  filter.addEventListener("input", () => {
    hideWarning();
    applyFilter();
    renderChips(); // a picked new name follows what is typed
  });
  filter.addEventListener("keydown", (event) => {
    const options = visibleOptions();
    const active = optionList().querySelector("li.active");
    const index = options.indexOf(active);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      setActive(options[Math.max(0, Math.min(options.length - 1, index + step))] || null);
    } else if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      togglePick(active);
    } else if (event.key === "Enter") {
      event.preventDefault();
      applyPicked();
    }
  });
  panel.addEventListener("click", (event) => {
    const unpick = event.target.closest("[data-unpick]");
    const use = event.target.closest("[data-use-code]");
    if (unpick) {
      togglePick(document.getElementById(unpick.dataset.unpick));
      filter.focus();
      return;
    }
    if (use || event.target.closest("[data-confirm-new]")) {
      if (use) {
        // The existing code instead of the new name: pick it, unpick the new one.
        document.getElementById("opt-new").setAttribute("aria-selected", "false");
        setActive(null);
        const option = document.getElementById("opt-" + use.dataset.useCode);
        if (!option) {
          // Made by someone else since the page was loaded.
          showFlash("That code is not in this page's list yet: reload the page.", "error");
          return;
        }
        option.setAttribute("aria-selected", "true");
        filter.value = "";
        applyFilter();
        renderChips();
      }
      applyPicked({ confirmNew: !use });
      return;
    }
    const option = event.target.closest("li[role=option]");
    if (!option) return;
    setActive(option);
    togglePick(option);
    filter.focus();
  });
  panel.addEventListener("dblclick", (event) => {
    if (event.target.closest("li[role=option]")) applyPicked();
  });
  floating.addEventListener("mousedown", (event) => event.preventDefault());
  floating.addEventListener("click", startCoding);
}

/* Excerpta in the browser: messages, upload progress, and the coding page.

   Offsets sent to the server are Unicode code points (Python str indices) over the
   transcript's text; the browser counts UTF-16 units, so every length is converted here.
   With the offsets goes the text the user saw between them and the transcript's version:
   the server refuses anything stale or forged, so this file never has to be trusted. */
"use strict";

(function () {
  // ---- Messages -----------------------------------------------------------------------

  let flashTimer = null;

  function showFlash(message, level) {
    const flash = document.getElementById("flash");
    if (!flash) return;
    flash.className = "flash flash-" + level;
    flash.replaceChildren();
    const p = document.createElement("p");
    p.textContent = message;
    flash.append(p);
    scheduleFlashHide();
  }

  function scheduleFlashHide() {
    const flash = document.getElementById("flash");
    clearTimeout(flashTimer);
    if (!flash || flash.classList.contains("flash-error")) return;
    const delay = flash.querySelector("[data-undo]") ? 15000 : 6000;
    flashTimer = setTimeout(() => flash.replaceChildren(), delay);
  }

  document.addEventListener("htmx:afterSettle", scheduleFlashHide);
  document.addEventListener("DOMContentLoaded", scheduleFlashHide);

  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.xhr.status >= 500) {
      showFlash(
        "Something went wrong on the server; your last action may not have been saved. " +
          "Reload the page to see what is stored.",
        "error",
      );
    }
  });
  document.addEventListener("htmx:sendError", () => {
    showFlash("Excerpta cannot be reached: your last action was not saved. Try again.", "error");
  });

  // ---- Upload progress --------------------------------------------------------------------

  document.addEventListener("htmx:xhr:progress", (event) => {
    const form = event.target.closest && event.target.closest("form[data-progress]");
    const bar = form && form.querySelector("progress");
    if (!bar || !event.detail.lengthComputable) return;
    bar.hidden = false;
    bar.value = Math.round((100 * event.detail.loaded) / event.detail.total);
  });

  // ---- The coding page --------------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", () => {
    const transcript = document.getElementById("transcript");
    if (transcript) codingPage(transcript);
  });

  function cpLength(s) {
    let n = 0;
    for (let i = 0; i < s.length; i++, n++) {
      const c = s.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
    }
    return n;
  }

  // The UTF-16 index reached after `count` code points of `s`.
  function unitsFor(s, count) {
    let i = 0;
    for (let n = 0; n < count && i < s.length; n++) {
      const c = s.charCodeAt(i);
      const pair = c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      i += pair ? 2 : 1;
    }
    return i;
  }

  function codingPage(transcript) {
    const canWrite = transcript.hasAttribute("data-can-write");
    const panel = document.getElementById("code-panel");
    const filter = document.getElementById("code-filter");
    const floating = document.getElementById("code-selection");
    const help = document.getElementById("keys-help");
    const reader = transcript.closest(".reader") || document.scrollingElement;
    let selection = null; // {start, end, text} in code points
    let anchor = null; // keyboard selection, in code points
    let focus = null;
    let current = null; // id of the open excerpt
    let mode = null; // what the code picker applies to: {kind: "new"} or {kind: "add", id}
    let lineCache = null;

    // -- Lines: each <p data-o> holds one line of the text, starting at offset data-o. The
    //    characters between lines are all line breaks.
    function lines() {
      if (!lineCache) {
        lineCache = Array.from(transcript.querySelectorAll("p[data-o]"), (p) => {
          const chars = Array.from(p.textContent);
          const start = Number(p.dataset.o);
          return { p, start, end: start + chars.length, chars };
        });
      }
      return lineCache;
    }
    document.addEventListener("htmx:afterSwap", () => (lineCache = null));
    document.addEventListener("htmx:oobAfterSwap", () => (lineCache = null));

    function lineOf(element) {
      const p = element && element.closest ? element.closest("p[data-o]") : null;
      return p && transcript.contains(p) ? lines().find((line) => line.p === p) : null;
    }

    // A point of the DOM (as in a Range) as an offset; a point outside every line snaps to
    // the next line's start (for a start) or the previous line's end (for an end).
    function pointOffset(node, offset, edge) {
      const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
      const line = lineOf(element);
      if (line) {
        const range = document.createRange();
        range.setStart(line.p, 0);
        range.setEnd(node, offset);
        return line.start + cpLength(range.toString());
      }
      const probe = document.createRange();
      probe.setStart(node, offset);
      if (edge === "start") {
        const next = lines().find((l) => probe.comparePoint(l.p, 0) > 0);
        return next ? next.start : null;
      }
      const before = lines().filter((l) => probe.comparePoint(l.p, l.p.childNodes.length) < 0);
      return before.length ? before[before.length - 1].end : null;
    }

    function domPoint(offset) {
      for (const line of lines()) {
        if (offset > line.end) continue;
        if (offset < line.start) offset = line.start;
        let rest = offset - line.start;
        const walker = document.createTreeWalker(line.p, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const length = cpLength(node.data);
          if (rest <= length) return [node, unitsFor(node.data, rest)];
          rest -= length;
        }
        return [line.p, line.p.childNodes.length];
      }
      const last = lines()[lines().length - 1];
      return last ? [last.p, last.p.childNodes.length] : null;
    }

    function charAt(offset) {
      const line = lines().find((l) => offset >= l.start && offset < l.end);
      return line ? line.chars[offset - line.start] : "\n";
    }

    function textBetween(start, end) {
      let out = "";
      let cursor = start;
      for (const line of lines()) {
        if (cursor >= end) break;
        if (line.end <= cursor) continue;
        if (cursor < line.start) {
          const gapEnd = Math.min(line.start, end);
          out += "\n".repeat(gapEnd - cursor);
          cursor = gapEnd;
        }
        if (cursor < end && cursor < line.end) {
          const stop = Math.min(end, line.end);
          out += line.chars.slice(cursor - line.start, stop - line.start).join("");
          cursor = stop;
        }
      }
      return out;
    }

    function readSelection() {
      const native = window.getSelection();
      if (!native.rangeCount || native.isCollapsed) return null;
      const range = native.getRangeAt(0);
      if (!transcript.contains(range.commonAncestorContainer)) return null;
      const start = pointOffset(range.startContainer, range.startOffset, "start");
      const end = pointOffset(range.endContainer, range.endOffset, "end");
      if (start === null || end === null || end <= start) return null;
      const text = textBetween(start, end);
      if (!text.trim()) return null;
      return { start, end, text, rect: range.getBoundingClientRect() };
    }

    function selectOffsets(from, to) {
      const a = domPoint(from);
      const b = domPoint(to);
      if (a && b) window.getSelection().setBaseAndExtent(a[0], a[1], b[0], b[1]);
    }

    // -- The selection and the floating "Code" button
    let pending = false;
    document.addEventListener("selectionchange", () => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        selection = readSelection();
        if (selection && document.activeElement !== transcript) {
          anchor = null;
        }
        placeFloating();
      });
    });

    function placeFloating() {
      if (!floating) return;
      if (!selection || !canWrite || !panel.hidden) {
        floating.hidden = true;
        return;
      }
      const rect = selection.rect;
      floating.hidden = false;
      floating.style.top = Math.min(rect.bottom + 8, window.innerHeight - 48) + "px";
      floating.style.left = Math.max(8, Math.min(rect.right - 40, window.innerWidth - 120)) + "px";
    }

    // -- Keyboard selection: arrows move a caret by word and by line; Shift extends.
    const caret = document.createElement("div");
    caret.className = "caret";
    caret.hidden = true;
    document.body.append(caret);

    function firstVisibleLine() {
      const top = reader.getBoundingClientRect ? reader.getBoundingClientRect().top : 0;
      return lines().find((l) => l.p.getBoundingClientRect().bottom > top + 8) || lines()[0];
    }

    function drawCaret() {
      if (anchor === null || anchor !== focus || document.activeElement !== transcript) {
        caret.hidden = true;
        return;
      }
      const point = domPoint(focus);
      if (!point) return;
      const range = document.createRange();
      range.setStart(point[0], point[1]);
      range.collapse(true);
      const rect = range.getClientRects()[0] || point[0].parentElement.getBoundingClientRect();
      caret.style.left = rect.left + "px";
      caret.style.top = rect.top + "px";
      caret.style.height = (rect.height || 20) + "px";
      caret.hidden = false;
    }
    transcript.addEventListener("blur", () => (caret.hidden = true));
    transcript.addEventListener("focus", drawCaret);
    reader.addEventListener && reader.addEventListener("scroll", drawCaret, { passive: true });

    const isSpace = (ch) => /\s/.test(ch);
    function bounds() {
      const all = lines();
      return all.length ? [all[0].start, all[all.length - 1].end] : [0, 0];
    }
    function wordRight(i) {
      const max = bounds()[1];
      while (i < max && isSpace(charAt(i))) i++;
      while (i < max && !isSpace(charAt(i))) i++;
      return i;
    }
    function wordLeft(i) {
      const min = bounds()[0];
      while (i > min && isSpace(charAt(i - 1))) i--;
      while (i > min && !isSpace(charAt(i - 1))) i--;
      return i;
    }
    function lineIndex(i) {
      const all = lines();
      const index = all.findIndex((l) => i <= l.end);
      return index < 0 ? all.length - 1 : index;
    }
    function move(key, i) {
      const all = lines();
      const index = lineIndex(i);
      switch (key) {
        case "ArrowRight": return wordRight(i);
        case "ArrowLeft": return wordLeft(i);
        case "ArrowDown": return index + 1 < all.length ? all[index + 1].start : all[index].end;
        case "ArrowUp":
          return i > all[index].start ? all[index].start : all[Math.max(0, index - 1)].start;
        case "Home": return all[index].start;
        case "End": return all[index].end;
      }
      return i;
    }

    transcript.addEventListener("keydown", (event) => {
      const keys = ["ArrowRight", "ArrowLeft", "ArrowDown", "ArrowUp", "Home", "End"];
      if (!keys.includes(event.key) || event.altKey || event.metaKey || event.ctrlKey) return;
      if (!lines().length) return;
      event.preventDefault();
      if (anchor === null) {
        if (selection) {
          anchor = selection.start;
          focus = selection.end;
        } else {
          anchor = focus = firstVisibleLine().start;
        }
        if (!event.shiftKey && selection) anchor = focus = selection.end;
      }
      focus = move(event.key, focus);
      if (!event.shiftKey) anchor = focus;
      if (anchor === focus) {
        window.getSelection().removeAllRanges();
      } else {
        selectOffsets(Math.min(anchor, focus), Math.max(anchor, focus));
      }
      const point = domPoint(focus);
      if (point) (point[0].parentElement || point[0]).scrollIntoView({ block: "nearest" });
      drawCaret();
    });

    transcript.addEventListener("mousedown", () => {
      anchor = focus = null;
      caret.hidden = true;
    });

    // -- Opening excerpts: a click on a highlight (without dragging a selection), a focused
    //    highlight with Enter, or an entry of the side list.
    function detailUrl(id) {
      return transcript.dataset.detailUrl.replace(/\/0\/$/, "/" + id + "/");
    }

    function markOpen(id) {
      document.querySelectorAll(".on[data-x]").forEach((el) => el.classList.remove("on"));
      current = id;
      if (id === null) return;
      document.querySelectorAll('[data-x="' + id + '"]').forEach((el) => {
        if (el.matches("mark, li")) el.classList.add("on");
      });
    }

    function openExcerpt(id, scroll) {
      markOpen(id);
      htmx.ajax("GET", detailUrl(id), { target: "#excerpt-detail", swap: "outerHTML" });
      const mark = transcript.querySelector('mark[data-x="' + id + '"]');
      if (scroll && mark) mark.scrollIntoView({ block: "center" });
      const item = document.getElementById("ex-" + id);
      if (item) item.scrollIntoView({ block: "nearest" });
    }

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

    function stepExcerpt(delta) {
      const items = Array.from(document.querySelectorAll("#excerpt-list li[data-x]"));
      if (!items.length) return;
      let index = items.findIndex((li) => li.dataset.x === current);
      index = index < 0 ? (delta > 0 ? 0 : items.length - 1) : index + delta;
      index = Math.max(0, Math.min(items.length - 1, index));
      openExcerpt(items[index].dataset.x, true);
    }

    // A link from elsewhere (a theme's excerpts) opens the page at one excerpt: #x<id>.
    const linked = /^#x(\d+)$/.exec(window.location.hash);
    if (linked && transcript.querySelector('mark[data-x="' + linked[1] + '"]')) {
      openExcerpt(linked[1], true);
    }

    // A memo being written survives the panel being redrawn by another edit of the same
    // excerpt (a code added, a resize), as long as the saved memo did not change meanwhile.
    document.addEventListener("htmx:oobBeforeSwap", (event) => {
      const target = event.detail.target;
      if (!target || target.id !== "excerpt-detail") return;
      const typed = target.querySelector("textarea[name=memo]");
      if (!typed || typed.value === typed.defaultValue) return;
      const incoming = event.detail.fragment.querySelector("#excerpt-detail");
      const box = incoming && incoming.querySelector("textarea[name=memo]");
      if (box && incoming.dataset.x === target.dataset.x && box.defaultValue === typed.defaultValue) {
        box.value = typed.value;
      }
    });

    // The server appends a new excerpt's entry to the side list; the list keeps itself in
    // text order and counts its entries, which saves the server two queries per edit.
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
        markOpen(current);
      });
    }
    document.addEventListener("htmx:oobAfterSwap", tidyList);
    document.addEventListener("htmx:afterSettle", tidyList);

    document.addEventListener("htmx:afterSettle", () => {
      markOpen(current);
      const detail = document.getElementById("excerpt-detail");
      if (detail && !detail.dataset.x && current !== null) markOpen(null);
    });

    // -- The code picker
    const optionList = () => document.getElementById("code-options");
    function visibleOptions() {
      return Array.from(optionList().querySelectorAll("li[role=option]:not([hidden])"));
    }
    function setActive(option) {
      optionList().querySelectorAll("li.active").forEach((li) => li.classList.remove("active"));
      if (!option) {
        filter.removeAttribute("aria-activedescendant");
        return;
      }
      option.classList.add("active");
      filter.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
    function applyFilter() {
      const typed = filter.value.trim();
      const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
      let exact = false;
      optionList().querySelectorAll("li[data-id]").forEach((li) => {
        const name = li.dataset.name.toLowerCase();
        li.hidden = !words.every((word) => name.includes(word));
        if (name === typed.toLowerCase()) exact = true;
      });
      const create = document.getElementById("opt-new");
      create.hidden = !typed || exact;
      create.querySelector("span").textContent = typed;
      setActive(visibleOptions()[0] || null);
    }

    function openPicker(newMode, rect) {
      if (!canWrite || !panel) return;
      mode = newMode;
      panel.hidden = false;
      floating.hidden = true;
      filter.value = "";
      optionList().querySelectorAll('[aria-selected="true"]').forEach((li) => {
        li.setAttribute("aria-selected", "false");
      });
      applyFilter();
      const width = panel.offsetWidth || 352;
      const top = rect ? rect.bottom + 8 : 120;
      panel.style.left = Math.max(8, Math.min((rect ? rect.left : 200), window.innerWidth - width - 8)) + "px";
      panel.style.top = Math.max(8, Math.min(top, window.innerHeight - panel.offsetHeight - 8)) + "px";
      filter.focus();
    }

    function closePicker() {
      if (!panel || panel.hidden) return;
      panel.hidden = true;
      mode = null;
      transcript.focus({ preventScroll: true });
      placeFloating();
    }

    function startCoding() {
      if (!canWrite) return;
      // Read the selection now: the copy kept on selectionchange lags a frame behind keys.
      selection = readSelection();
      if (selection) {
        openPicker({ kind: "new", selection }, selection.rect);
      } else if (current !== null) {
        const mark = transcript.querySelector('mark[data-x="' + current + '"]');
        openPicker({ kind: "add", id: current }, mark ? mark.getBoundingClientRect() : null);
      } else {
        showFlash("Select a passage first (with the mouse, or Shift and the arrow keys in the text).", "info");
      }
    }

    function togglePick(option) {
      if (!option) return;
      const picked = option.getAttribute("aria-selected") === "true";
      option.setAttribute("aria-selected", picked ? "false" : "true");
    }

    function applyPicked() {
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
      let url;
      if (mode.kind === "new") {
        const s = mode.selection;
        Object.assign(values, { start: s.start, end: s.end, text: s.text, version: transcript.dataset.version });
        url = transcript.dataset.createUrl;
      } else {
        url = transcript.dataset.addUrl.replace(/\/0\/codes\/$/, "/" + mode.id + "/codes/");
      }
      htmx.ajax("POST", url, { source: panel, values, swap: "none" });
    }

    if (panel) {
      filter.addEventListener("input", applyFilter);
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
        } else if (event.key === "Escape") {
          event.preventDefault();
          closePicker();
        }
      });
      panel.addEventListener("click", (event) => {
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

    document.addEventListener("excerptSaved", (event) => {
      const id = String(event.detail.value);
      if (panel) panel.hidden = true;
      mode = null;
      window.getSelection().removeAllRanges();
      selection = null;
      anchor = focus = null;
      markOpen(id);
      placeFloating();
      transcript.focus({ preventScroll: true });
    });
    document.addEventListener("excerptDeleted", () => {
      current = null;
      transcript.focus({ preventScroll: true });
    });

    // -- Buttons of the detail panel that act on the current selection
    document.addEventListener("click", (event) => {
      const button = event.target.closest("[data-action]");
      if (!button) return;
      const action = button.dataset.action;
      if (action === "add-code") startCoding();
      if (action === "close-detail") {
        markOpen(null);
        const detail = document.getElementById("excerpt-detail");
        const hint = document.createElement("p");
        hint.className = "hint";
        hint.textContent = "Click a highlight, or pick an excerpt below, to see its codes and memo.";
        detail.replaceChildren(hint);
        delete detail.dataset.x;
      }
      if (action === "help" && help) help.showModal();
      if (action === "resize") resizeToSelection(button);
    });

    function resizeToSelection(button) {
      selection = readSelection();
      if (!selection) {
        showFlash("Select the new extent of the excerpt in the text first, then press this button.", "info");
        return;
      }
      htmx.ajax("POST", button.dataset.url, {
        source: button,
        swap: "none",
        values: {
          start: selection.start,
          end: selection.end,
          text: selection.text,
          version: transcript.dataset.version,
          revision: button.dataset.revision,
        },
      });
    }

    // -- Keys for the whole page (not while typing in a field)
    document.addEventListener("keydown", (event) => {
      const typing = event.target.closest("input, textarea, select, [contenteditable]");
      if (event.key === "Escape") {
        if (panel && !panel.hidden) return closePicker();
        window.getSelection().removeAllRanges();
        return;
      }
      if (typing || event.altKey) return;
      if ((event.ctrlKey || event.metaKey) && event.key === "z") {
        const undo = document.querySelector("#flash [data-undo]");
        if (undo) {
          event.preventDefault();
          undo.click();
        }
        return;
      }
      if (event.ctrlKey || event.metaKey) return;
      if (event.key === "c" || event.key === "C") {
        event.preventDefault();
        startCoding();
      } else if (event.key === "]") {
        stepExcerpt(1);
      } else if (event.key === "[") {
        stepExcerpt(-1);
      } else if (event.key === "m" && canWrite) {
        const memo = document.querySelector("#excerpt-detail textarea");
        if (memo) {
          event.preventDefault();
          memo.focus();
        }
      } else if ((event.key === "Delete" || event.key === "Backspace") && canWrite && current) {
        const remove = document.querySelector('#excerpt-detail [data-action-delete]');
        if (remove) {
          event.preventDefault();
          remove.click();
        }
      } else if (event.key === "?" && help) {
        help.showModal();
      }
    });
  }
})();

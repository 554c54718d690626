/* The coding page's shared state: its elements, and what is selected and open.

   One transcript per page, so this module holds it; the other modules read and set these
   fields rather than passing them around. `bind` fills it once, before any module installs.
   Offsets are code points over the transcript's text (see offsets.js). */

export const page = {
  transcript: null, // the <article id="transcript">
  canWrite: false, // the user may code (not a reviewer)
  panel: null, // the code picker (#code-panel), absent for reviewers
  filter: null, // the picker's text box
  floating: null, // the floating "Code" button
  help: null, // the key help <dialog>
  reader: null, // the element that scrolls the transcript
  selection: null, // {start, end, text, rect}: the selection in the text, or null
  current: null, // id (a string) of the excerpt the side panel shows, or null
};

export function bind(transcript) {
  page.transcript = transcript;
  page.canWrite = transcript.hasAttribute("data-can-write");
  page.panel = document.getElementById("code-panel");
  page.filter = document.getElementById("code-filter");
  page.floating = document.getElementById("code-selection");
  page.help = document.getElementById("keys-help");
  page.reader = transcript.closest(".reader") || document.scrollingElement;
}

/** The id of the excerpt the side panel shows now (a string), or null. It differs from
    page.current while the panel of a newly opened excerpt is on its way: the panel's
    actions act on what it shows, never on what is being fetched. */
export function shownExcerpt() {
  const detail = document.getElementById("excerpt-detail");
  return (detail && detail.dataset.x) || null;
}

/* Ctrl+Z (Cmd+Z) on the coding page and every page whose messages carry an Undo button
   (the codebook, the themes page, a theme's page, coding from a search, passages like a
   code) or whose memos can be written and deleted (the memos page): undoes the user's
   newest action in the study, a memo's or a comment's too. The server keeps that history until
   the user logs out (coding/undo.py), so the key works long after the message with its
   Undo button has gone, and pressed again it goes on back through the history. The page
   names the endpoint in data-undo-url (only for those who may write); the answer brings
   the page up to date (out-of-band swaps on the coding page, a reload elsewhere) or says
   why nothing was undone. In a text field the key is the browser's own undo (keyboard.js).
   */

import { bindKey } from "./keyboard.js";

export function install() {
  bindKey("Ctrl+z", () => {
    const holder = document.querySelector("[data-undo-url]");
    if (!holder) return false;
    htmx.ajax("POST", holder.dataset.undoUrl, { source: holder, swap: "none" });
  });
}

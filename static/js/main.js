/* Excerpta in the browser: the one entry point, loaded by base.html as a module.

   Every page gets messages (flash.js), upload progress (progress.js), forms that keep
   what is typed while they are sent (sending.js), uploads over the site's limits said
   before sending (upload_limits.js) and the question-markers page's texts
   of the chosen questions (question_text.js); a page without a transcript its keyboard
   focus kept over htmx's redraws (focus.js), a page with a transcript (#transcript)
   gets the coding page's modules. Each module exports `install()` and keeps to what its
   name says; a new behaviour is a new module installed here. Where
   keys are concerned the order below is the order in which keyboard.js tries bindings
   (Escape closes the picker first, and clears the selection last).

   Offsets sent to the server are Unicode code points (Python str indices) over the
   transcript's text; the browser counts UTF-16 units, so every length is converted
   (offsets.js). With the offsets goes the text the user saw between them and the
   transcript's version: the server refuses anything stale or forged, so this code never
   has to be trusted. */

import * as at from "./at.js";
import * as caret from "./caret.js";
import * as covering from "./covering.js";
import * as excerpts from "./excerpts.js";
import * as find from "./find.js";
import * as flash from "./flash.js";
import * as focus from "./focus.js";
import * as keyboard from "./keyboard.js";
import * as lines from "./lines.js";
import * as margin from "./margin.js";
import * as panel from "./panel.js";
import * as picker from "./picker.js";
import * as progress from "./progress.js";
import * as questionText from "./question_text.js";
import * as selection from "./selection.js";
import * as sending from "./sending.js";
import { bind } from "./state.js";
import * as undo from "./undo.js";
import * as uploadLimits from "./upload_limits.js";

const CODING_PAGE = [lines, covering, picker, panel, excerpts, selection, caret, undo, margin, find, keyboard, at];

function start() {
  flash.install();
  progress.install();
  sending.install();
  uploadLimits.install();
  questionText.install();
  const transcript = document.getElementById("transcript");
  if (!transcript) {
    // The coding page keeps its own focus, by its keys and its panel (excerpts.js, panel.js).
    focus.install();
    // The one key of the other pages whose messages carry an Undo button (the codebook,
    // the themes pages, coding from a search or from similar passages): Ctrl+Z undoes, as
    // on the coding page. The page says where in data-undo-url, for those who may write.
    if (document.querySelector("[data-undo-url]")) [undo, keyboard].forEach((m) => m.install());
    return;
  }
  bind(transcript);
  CODING_PAGE.forEach((module) => module.install());
}

// A module script runs after the document is parsed, before DOMContentLoaded.
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();

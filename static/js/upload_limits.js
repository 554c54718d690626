/* Uploads over the site's limits, said before sending. A file input that carries the limits
   (data-max-files, data-max-bytes: the server's DATA_UPLOAD_MAX_NUMBER_FILES and
   EXCERPTA_MAX_UPLOAD_BATCH_BYTES) is checked when files are chosen and again when its form
   is submitted: over a limit, the message says by how much and the form is not sent, so
   the researcher keeps her page and her choice. The server refuses the same uploads in the
   same words (core/upload_limits.py): this only spares sending them. Files within the
   limits chosen afterwards take the message away and let the form be sent again: a
   message left standing would say that files she no longer has chosen are too many. */

import { dismissFlash, showFlash } from "./flash.js";

// Bytes in MB as the server says them: two decimals at most, rounded up (10.01 MB, never
// "10 MB" for a size over 10 MB).
function megabytes(size) {
  const text = (Math.ceil((size * 100) / (1024 * 1024)) / 100).toLocaleString("en", { maximumFractionDigits: 2 });
  return `${text} MB`;
}

/** The message for the files chosen in `input`, or "" when they are within its limits. */
function overLimit(input) {
  const files = [...(input.files || [])];
  const maxFiles = Number(input.dataset.maxFiles);
  const maxBytes = Number(input.dataset.maxBytes);
  if (maxFiles && files.length > maxFiles) {
    return `You chose ${files.length.toLocaleString("en")} files; one upload takes at most ${maxFiles.toLocaleString("en")}. Import them in two or more uploads. Nothing was uploaded.`;
  }
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (maxBytes && total > maxBytes) {
    return `The files you chose come to ${megabytes(total)}; one upload takes at most ${megabytes(maxBytes)}. Import them in two or more uploads. Nothing was uploaded.`;
  }
  return "";
}

const LIMITED = "input[type=file][data-max-files]";
// Buttons this module disabled, so that it enables only those (htmx disables a form's
// button while it is sent: hx-disabled-elt).
const HELD = "data-over-limits";

// The limits' message on show, if any: the one to take away, never another's.
let shown = null;

/** Say what is over the limits of `input` and hold its form's buttons, or (within them)
    take the message away and let the form go. */
function judge(input) {
  const message = overLimit(input);
  const buttons = input.form ? input.form.querySelectorAll("button[type=submit], button:not([type])") : [];
  if (message) {
    shown = showFlash(message, "error");
    input.setAttribute("aria-invalid", "true");
    for (const button of buttons) {
      if (!button.disabled) button.setAttribute(HELD, "");
      button.disabled = true;
    }
    return message;
  }
  input.removeAttribute("aria-invalid");
  for (const button of buttons) {
    if (!button.hasAttribute(HELD)) continue;
    button.removeAttribute(HELD);
    button.disabled = false;
  }
  if (shown && shown.isConnected) dismissFlash(shown);
  shown = null;
  return "";
}

export function install() {
  document.addEventListener("change", (event) => {
    if (event.target.matches && event.target.matches(LIMITED)) judge(event.target);
  });
  // In the capture phase, before htmx's own listener on the form: a form stopped here is
  // never sent, by htmx or by the browser (a button held by judge() cannot send it, but
  // Enter in another field could).
  document.addEventListener(
    "submit",
    (event) => {
      for (const input of event.target.querySelectorAll(LIMITED)) {
        if (!judge(input)) continue;
        event.preventDefault();
        event.stopPropagation();
        return;
      }
    },
    true,
  );
}

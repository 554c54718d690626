/* Ctrl+Z (Cmd+Z): presses the Undo button of the message shown, if any. The undo log's own
   module may replace this one; it binds its keys through keyboard.js like every module. */

import { bindKey } from "./keyboard.js";

export function install() {
  bindKey("Ctrl+z", () => {
    const undo = document.querySelector("#flash [data-undo]");
    if (!undo) return false;
    undo.click();
  });
}

/* Keys of the whole coding page, registered by the modules that act on them.

   bindKey("c", run) runs `run(event)` on a key press outside text fields; "Ctrl+z" also
   matches Cmd+Z; Alt never matches. `run` returns false when it did nothing, and the key
   goes on to the next binding; otherwise the default action is prevented. Bindings are
   tried in the order modules registered them (main.js fixes that order). The key help
   (#keys-help) must list exactly the keys bound here; tests/browser/test_coding_keys.py
   presses each. */

const bindings = [];

/**
 * @param {string} spec  a KeyboardEvent.key value, optionally prefixed "Ctrl+"
 * @param {(event: KeyboardEvent) => boolean|void} run
 * @param {{inFields?: boolean}} options  inFields: also while typing in a field
 */
export function bindKey(spec, run, { inFields = false } = {}) {
  const ctrl = spec.startsWith("Ctrl+");
  bindings.push({ key: ctrl ? spec.slice(5) : spec, ctrl, inFields, run });
}

export function typingIn(target) {
  return Boolean(target.closest && target.closest("input, textarea, select, [contenteditable]"));
}

export function install() {
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.defaultPrevented) return;
    // A modal dialog (the key help) keeps its own keys: Esc closes it.
    if (event.target.closest && event.target.closest("dialog[open]")) return;
    const typing = typingIn(event.target);
    const ctrl = event.ctrlKey || event.metaKey;
    for (const binding of bindings) {
      if (binding.key !== event.key || binding.ctrl !== ctrl) continue;
      if (typing && !binding.inFields) continue;
      if (binding.run(event) === false) continue;
      event.preventDefault();
      return;
    }
  });
}

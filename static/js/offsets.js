/* Offsets: code points (what the server counts, Python str indices) against UTF-16 units
   (what the browser counts). Pure functions, no DOM: tests/browser/test_offsets.py imports
   this module in a page and checks it against Python's own counting.

   An astral character (an emoji, a CJK extension ideograph) is one code point and two
   UTF-16 units; a combining mark is a code point of its own (é as e + U+0301 is two);
   a lone surrogate counts as one code point, as Python counts it. */

/** The length of `s` in code points. */
export function cpLength(s) {
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

/** The UTF-16 index reached after `count` code points of `s` (at most `s.length`). */
export function unitsFor(s, count) {
  let i = 0;
  for (let n = 0; n < count && i < s.length; n++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += pair ? 2 : 1;
  }
  return i;
}

/* ?at=start-end on the coding page: a search hit opens the transcript with that span
   (code points) selected and in view, ready to be coded like any selection. A span that
   is not a pair of offsets within the text is ignored; the server checks any coding of it
   anyway. */

import { bounds, domPoint } from "./lines.js";
import { selectOffsets } from "./selection.js";

export function install() {
  const match = /^(\d+)-(\d+)$/.exec(new URLSearchParams(location.search).get("at") || "");
  if (!match) return;
  const [start, end] = [Number(match[1]), Number(match[2])];
  const [first, last] = bounds();
  if (!(first <= start && start < end && end <= last)) return;
  selectOffsets(start, end);
  const [node] = domPoint(start);
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  element.scrollIntoView({ block: "center" });
}

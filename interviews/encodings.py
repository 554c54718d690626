"""Which encoding a plain-text transcript is in: the ladder's answer, judged, and the choices.

The ladder in interviews.text (BOM, strict UTF-8, Windows-1252) is right for every file a
BOM or valid UTF-8 marks, and for Western European legacy files. Its last rung accepts any
bytes, so a Greek or Cyrillic file comes out as "Ðþò Þôáí": such a decoding is judged
implausible here, and charset-normalizer then proposes candidates for the researcher to
choose from with a preview. charset-normalizer alone is not trusted to decide: it reads
short Spanish and French cp1252 files as cp1250 (RELIABILITY.md, T14), and a short Greek
file as Cyrillic.
"""

from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass

from .encoding_names import BY_CODEC as _BY_CODEC
from .encoding_names import CHOICES, UTF8_SLIPS, UTF8_SLIPS_NAME, label
from .encoding_names import codec_of as _codec
from .text import ImportRejected, decode_text

# Letters that Western European text hardly ever holds but that legacy Greek, Turkish and
# Cyrillic bytes become in Windows-1252 (Icelandic eth, thorn, y acute).
_TELLTALE = set("ÐðÞþÝý")
# Above this share of non-ASCII letters a Windows-1252 decoding is not a Western European
# language: French, Spanish and German stay under a tenth, Greek read as 1252 is over half.
_MAX_ACCENTED_SHARE = 0.3
# charset-normalizer's measure of how garbled a text looks; readable text scores near 0.
_MAX_MESS = 0.2
# How much of a file the candidates are judged on (bytes): the first pages tell the
# encoding, and a 10 MB file is then judged in a fraction of a second. The import itself
# decodes the whole file strictly, and refuses it if a later byte does not fit.
_SAMPLE_BYTES = 256 * 1024


@dataclass(frozen=True)
class EncodingGuess:
    """What Excerpta proposes for one file.

    `encoding` is a key of CHOICES ("" when no choice is readable enough to propose), `sure`
    says whether the file may import without the researcher choosing, and `candidates` are
    the keys of CHOICES the bytes decode in, most likely first.
    """

    encoding: str
    sure: bool
    candidates: tuple[str, ...]


def plausible(text: str) -> bool:
    """Whether decoded text reads as language rather than mojibake (a heuristic, no I/O)."""
    # charset-normalizer (4 MB) is imported by the first file judged, not as a gunicorn
    # worker loads the app (issue 9: a worker under 160 MB after every page and export).
    from charset_normalizer.md import mess_ratio

    sample = text[:20_000]
    if any(ord(ch) < 32 and ch not in "\t\n\r\x0b\x0c" for ch in sample):
        return False
    if mess_ratio(sample, maximum_threshold=1.0) > _MAX_MESS:
        return False
    letters = [ch for ch in sample if ch.isalpha()]
    accented = [ch for ch in letters if ord(ch) > 127]
    latin = [ch for ch in accented if "LATIN" in unicodedata.name(ch, "")]
    # Non-Latin scripts are judged by the mess ratio alone; Latin letters outside ASCII that
    # crowd the text, or the Icelandic letters, are what a wrong single-byte decoding gives.
    if not latin:
        return True
    if len(latin) > _MAX_ACCENTED_SHARE * len(letters):
        return False
    return not _TELLTALE.intersection(latin)


def guess(raw: bytes) -> EncodingGuess:
    """Propose an encoding for the bytes of a .txt file.

    The ladder's answer is taken when it reads plausibly (always, for a BOM or valid UTF-8);
    otherwise charset-normalizer's plausible candidates are offered and none is sure.
    Raises ImportRejected when the ladder refuses the bytes outright (binary, a bad BOM).
    """
    text, found = decode_text(raw)
    ladder = _ladder_choice(found)
    sample = _sample(raw)
    if ladder != "cp1252" or plausible(text):
        return EncodingGuess(ladder, True, _candidates(sample, [ladder]))
    from charset_normalizer import from_bytes  # imported on first use: see plausible()

    detected = [_BY_CODEC.get(_codec(r.encoding), "") for r in from_bytes(sample)]
    ranked = [e for e in detected if e in CHOICES]
    readable = [e for e in _candidates(sample, ranked) if plausible(decoded(sample, e))]
    return EncodingGuess(
        readable[0] if readable else "", False, _candidates(sample, [*readable, *ranked])
    )


def _sample(raw: bytes) -> bytes:
    """The first _SAMPLE_BYTES of a file, cut after a line so that no character is split
    (a UTF-16 or UTF-32 file, known by its mark, is kept whole: its lines end in zeros)."""
    if len(raw) <= _SAMPLE_BYTES or raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw
    cut = raw.rfind(b"\n", 0, _SAMPLE_BYTES)
    return raw[: cut + 1] if cut > 0 else raw[:_SAMPLE_BYTES]


# The ladder's names for what it found, as choices.
_LADDER = {
    "UTF-8": "utf-8",
    "UTF-8 with BOM": "utf-8",
    UTF8_SLIPS_NAME: UTF8_SLIPS,
    label("cp1252"): "cp1252",
}


def _ladder_choice(found: str) -> str:
    return _LADDER.get(found) or ("utf-16" if found.startswith("UTF-16") else "utf-32")


def _candidates(raw: bytes, first: list[str]) -> tuple[str, ...]:
    """Every choice the bytes decode in, those of `first` first, each once."""
    ordered = dict.fromkeys([*first, *CHOICES])
    return tuple(e for e in ordered if e in CHOICES and _decodes(raw, e))


def _decodes(raw: bytes, encoding: str) -> bool:
    # Without its byte-order mark, UTF-16 or UTF-32 "decodes" any even run of bytes into
    # nonsense; the ladder already takes them when the mark is there.
    if encoding in ("utf-16", "utf-32") and not _has_bom(raw, encoding):
        return False
    try:
        decode_text(raw, encoding)
    except ImportRejected:
        return False
    return True


def _has_bom(raw: bytes, encoding: str) -> bool:
    if encoding == "utf-16":
        marks = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    else:
        marks = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    return raw.startswith(marks)


def decoded(raw: bytes, encoding: str) -> str:
    """The bytes decoded in `encoding`, or "" when they are not valid in it."""
    try:
        return decode_text(raw, encoding)[0]
    except ImportRejected:
        return ""

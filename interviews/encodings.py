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
import itertools
import unicodedata
from dataclasses import dataclass

from .encoding_names import BY_CODEC as _BY_CODEC
from .encoding_names import CHOICES, UTF8_SLIPS, UTF8_SLIPS_NAME, label
from .encoding_names import codec_of as _codec
from .text import ImportRejected, decode_text

# Letters that Western European text hardly ever holds but that legacy Greek, Turkish and
# Cyrillic bytes become in Windows-1252 (Icelandic eth, thorn, y acute).
_TELLTALE = set("ÐðÞþÝý")
# Y acute is also a Czech and Slovak letter (Týden, dlouhý): beside a letter only the
# Central European alphabets write (not š or ž, which Windows-1252 has too), it is that,
# not Turkish ı or Greek ύ misread. A tester's Czech file was proposed no encoding in
# Windows-1250, and Turkish in ISO-8859-2.
_CZECH_SLOVAK_Y = set("Ýý")
_CENTRAL_EUROPEAN = set("ěčřťďňůľĺŕĚČŘŤĎŇŮĽĹŔ")
# Above this share of non-ASCII letters a Windows-1252 decoding is not a Western European
# language: French, Spanish and German stay under a tenth, Greek read as 1252 is over half.
_MAX_ACCENTED_SHARE = 0.3
# Words of a Greek or Cyrillic text that only a wrong code page writes (_odd_word), and
# Cyrillic letters outside the text's alphabet, at most: a tenth of Greek words read in
# Windows-1251 have one, the short test sentences a half; a text read right, none.
_MAX_ODD_WORDS = 0.05
_MAX_STRAY_LETTERS = 0.02
# The alphabets of the languages the Cyrillic code pages are for (small letters).
_CYRILLIC = [
    set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),  # Russian
    set("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),  # Ukrainian
    set("абвгдеёжзійклмнопрстуўфхцчшыьэюя"),  # Belarusian
    set("абвгдежзийклмнопрстуфхцчшщъьюя"),  # Bulgarian
    set("абвгдђежзијклљмнњопрстћуфхцчџш"),  # Serbian
    set("абвгдѓежзѕијклљмнњопрстќуфхцчџш"),  # Macedonian
]
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
    # C0 controls, and C1 controls (what ISO-8859 code pages make of Windows' curly quotes).
    if any(
        (ord(ch) < 32 and ch not in "\t\n\r\x0b\x0c") or 0x80 <= ord(ch) < 0xA0 for ch in sample
    ):
        return False
    if mess_ratio(sample, maximum_threshold=1.0) > _MAX_MESS:
        return False
    letters = [ch for ch in sample if ch.isalpha()]
    accented = [ch for ch in letters if ord(ch) > 127]
    latin = [ch for ch in accented if "LATIN" in unicodedata.name(ch, "")]
    # Latin letters outside ASCII that crowd the text, or the Icelandic letters, are what a
    # wrong single-byte decoding gives; Greek and Cyrillic have misreadings of their own.
    if not latin:
        return not _misread_script(sample, letters)
    if len(latin) > _MAX_ACCENTED_SHARE * len(letters):
        return False
    telltales = _TELLTALE.intersection(latin)
    if _CENTRAL_EUROPEAN.intersection(latin):
        telltales -= _CZECH_SLOVAK_Y
    return not telltales


def _misread_script(sample: str, letters: list[str]) -> bool:
    """Whether Greek or Cyrillic text (`sample`, its `letters`) is what a wrong code page
    makes of the other, which charset-normalizer's mess ratio passes as readable: Greek in
    Windows-1251 or KOI8-R puts capitals inside words (the accented vowels ά έ ή ί become
    Ь Э Ю Я), in ISO-8859-5 it mixes the letters of several Cyrillic alphabets (ρ σ τ υ
    become ё ѓ є ѕ); Bulgarian or Russian in a Greek code page writes ς inside words. Read
    right, each is rare: a share of words, or of letters, allows a name or a quotation."""
    words = [word for word in sample.split() if any(ch.isalpha() for ch in word)]
    odd = sum(_odd_word(word) for word in words)
    if odd > _MAX_ODD_WORDS * len(words):
        return True
    cyrillic = [ch.lower() for ch in letters if "CYRILLIC" in unicodedata.name(ch, "")]
    strays = min(sum(ch not in alphabet for ch in cyrillic) for alphabet in _CYRILLIC)
    return strays > _MAX_STRAY_LETTERS * len(cyrillic)


def _odd_word(word: str) -> bool:
    """A capital beyond ASCII after a small letter ("КблзмЭсб"), a final sigma before a
    letter ("Θνςεπβ"), or a symbol against a letter beyond ASCII ("¶ννα": Ά in ISO-8859-7
    read as Windows-1253). ASCII is left alone: "iPhone" and "Word™" are written so."""
    for a, b in itertools.pairwise(word):
        if a.islower() and b.isupper() and not b.isascii():
            return True
        if a == "ς" and b.isalpha():
            return True
        if _glued(a, b) or _glued(b, a):
            return True
    return False


def _glued(symbol: str, letter: str) -> bool:
    return unicodedata.category(symbol)[0] == "S" and letter.isalpha() and not letter.isascii()


def guess(raw: bytes) -> EncodingGuess:
    """Propose an encoding for the bytes of a .txt file.

    The ladder's answer is taken when it reads plausibly (always, for a BOM or valid UTF-8);
    otherwise charset-normalizer's plausible candidates are offered and none is sure.
    Raises ImportRejected when the ladder refuses the bytes outright (binary, a bad BOM).
    """
    try:
        text, found = decode_text(raw)
    except ImportRejected:
        if raw.startswith(_MARKS) or b"\x00" in raw:
            raise
        # Bytes Windows-1252 leaves undefined (0x8D, 0x9D: Ť and ť in Windows-1250): the
        # ladder's last rung refuses them, and the code pages they decode in are offered.
        text, found = None, label("cp1252")
    ladder = _ladder_choice(found)
    sample = _sample(raw)
    if ladder != "cp1252" or (text is not None and plausible(text)):
        return EncodingGuess(ladder, True, _candidates(sample, [ladder]))
    from charset_normalizer import from_bytes  # imported on first use: see plausible()

    detected = [_BY_CODEC.get(_codec(r.encoding), "") for r in from_bytes(sample)]
    ranked = [e for e in detected if e in CHOICES]
    readable = [e for e in _candidates(sample, ranked) if plausible(decoded(sample, e))]
    # Where two readable code pages differ, the one that makes letters of the bytes they
    # disagree on is right: ISO-8859-7 reads Ά where Windows-1253 reads ¶, Windows-1250
    # reads ą where Windows-1257 reads ¹. Equal counts keep charset-normalizer's order.
    readable.sort(key=lambda e: -_letters(decoded(sample, e)))
    return EncodingGuess(
        readable[0] if readable else "", False, _candidates(sample, [*readable, *ranked])
    )


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


# The byte-order marks, by which the ladder knows a file's encoding for sure.
_MARKS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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

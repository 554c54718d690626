"""The names a researcher knows text encodings by: one table, read wherever one is named.

The preview's choices, its notes, an import's refusal and the encoding an interview keeps
all name an encoding from here ("Greek (ISO-8859-7)"), the language first, as a word
processor's "Save as plain text" lists them; the Python codec name ("iso8859_7") is what the
form posts and the import decodes with, and the researcher never reads it.
"""

from __future__ import annotations

import codecs

# A UTF-8 file with a few bytes of Windows-1252 in it (see interviews.text.utf8_with_slips):
# no codec of Python's, read by interviews.text itself.
UTF8_SLIPS = "utf-8+cp1252"
UTF8_SLIPS_NAME = "UTF-8 (a few bytes in Windows-1252)"

# Encodings a researcher can choose, by Python codec name, with the words she knows them by.
CHOICES = {
    "utf-8": "UTF-8",
    UTF8_SLIPS: UTF8_SLIPS_NAME,
    "utf-16": "UTF-16 (with byte-order mark)",
    "utf-32": "UTF-32 (with byte-order mark)",
    "cp1252": "Western European (Windows-1252)",
    "iso8859-15": "Western European (ISO-8859-15)",
    "cp1250": "Central European (Windows-1250)",
    "iso8859-2": "Central European (ISO-8859-2)",
    "cp1251": "Cyrillic (Windows-1251)",
    "koi8-r": "Russian (KOI8-R)",
    "koi8-u": "Ukrainian (KOI8-U)",
    "iso8859-5": "Cyrillic (ISO-8859-5)",
    "iso8859-7": "Greek (ISO-8859-7)",
    "cp1253": "Greek (Windows-1253)",
    "cp1254": "Turkish (Windows-1254)",
    "iso8859-9": "Turkish (ISO-8859-9)",
    "cp1257": "Baltic (Windows-1257)",
    "cp1255": "Hebrew (Windows-1255)",
    "cp1256": "Arabic (Windows-1256)",
    "mac-roman": "Western European (Mac OS Roman)",
    "shift_jis": "Japanese (Shift JIS)",
    "euc-kr": "Korean (EUC-KR)",
    "gb18030": "Chinese Simplified (GB18030)",
    "big5": "Chinese Traditional (Big5)",
}


def codec_of(encoding: str) -> str:
    """Python's own name of a codec, however spelled ("ISO-8859-7" → "iso8859-7"); the
    name as given when Python knows no such codec (UTF8_SLIPS)."""
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


# The keys of CHOICES by Python's own name of each codec, so that "iso8859_7",
# "ISO-8859-7" and "iso8859-7" find the same name.
BY_CODEC = {codec_of(name): name for name in CHOICES}


def label(encoding: str) -> str:
    """The researcher's name of an encoding given by any spelling of its codec name
    ("cp1253" or "windows-1253" → "Greek (Windows-1253)"); the codec name itself for one
    outside CHOICES."""
    return CHOICES.get(BY_CODEC.get(codec_of(encoding), encoding), encoding)

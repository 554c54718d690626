from __future__ import annotations

import codecs

import pytest

from interviews.encoding_names import label
from interviews.text import ImportRejected, decode_text, normalise

SPANISH = "La señora dijo: «¿Dónde está el café?» Año tras año, ¡qué difícil!"
FRENCH = "Élodie a été très gênée ; l'Ångström n'y est pour rien. Œuvre, cœur."
GERMAN = "Größere Übungen für Jürgen – „schön“ gemacht."


@pytest.mark.parametrize(
    ("raw", "expected", "encoding"),
    [
        (SPANISH.encode("utf-8"), SPANISH, "UTF-8"),
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), FRENCH, "UTF-8 with BOM"),
        (codecs.BOM_UTF16_LE + GERMAN.encode("utf-16-le"), GERMAN, "UTF-16 LE"),
        (codecs.BOM_UTF16_BE + GERMAN.encode("utf-16-be"), GERMAN, "UTF-16 BE"),
        (SPANISH.encode("cp1252"), SPANISH, "Western European (Windows-1252)"),
        (FRENCH.encode("cp1252"), FRENCH, "Western European (Windows-1252)"),
        (GERMAN.encode("cp1252"), GERMAN, "Western European (Windows-1252)"),
        (b"Plain ASCII, nothing else.", "Plain ASCII, nothing else.", "UTF-8"),
        (codecs.BOM_UTF32_LE + "emoji 😀".encode("utf-32-le"), "emoji 😀", "UTF-32 LE"),
    ],
)
def test_it_decodes_every_supported_encoding(raw, expected, encoding):
    assert decode_text(raw) == (expected, encoding)


def test_it_refuses_binary_files():
    with pytest.raises(ImportRejected, match="binary"):
        decode_text(b"%PDF-1.7\x00\x00\x01stream")


def test_it_refuses_utf16_without_a_bom_rather_than_guessing():
    with pytest.raises(ImportRejected, match="binary"):
        decode_text("Hello".encode("utf-16-le"))


def test_it_refuses_a_bom_followed_by_garbage():
    with pytest.raises(ImportRejected, match="UTF-16 LE"):
        decode_text(codecs.BOM_UTF16_LE + b"\x00\xd8")


def test_it_normalises_line_endings_and_word_breaks():
    text = "one\r\ntwo\rthree\x0bfour\x0cfive\u2028six"
    assert normalise(text) == "one\ntwo\nthree\nfour\nfive\nsix"


def test_it_composes_unicode_into_nfc():
    decomposed = "Cafe\u0301 and n\u0303"
    assert normalise(decomposed) == "Café and ñ"


def test_it_removes_characters_a_word_document_cannot_hold():
    assert normalise("a\x00b\x01c\x1fd\x7fe\ufffef\tg") == "abcdef\tg"


def test_it_trims_trailing_spaces_and_outer_blank_lines():
    assert (
        normalise("\n\n  Interviewer: hi   \nR1: hello\t\n\n\n") == "  Interviewer: hi\nR1: hello"
    )


GREEK = "Πώς ήταν η πρώτη μέρα; Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα."
RUSSIAN = "Как прошла ваша первая неделя? Тяжело, но коллеги очень помогли."


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (GREEK, "iso8859_7"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8_r"),
        ("Şimdi alıştım, ağır değil. İlk haftanız?", "cp1254"),
        (SPANISH, "cp1252"),
    ],
)
def test_it_decodes_in_the_encoding_chosen(text, encoding):
    assert decode_text(text.encode(encoding), encoding) == (text, label(encoding))


def test_a_chosen_encoding_drops_its_byte_order_mark():
    raw = codecs.BOM_UTF16_LE + GERMAN.encode("utf-16-le")
    assert decode_text(raw, "utf-16")[0] == GERMAN


def test_a_chosen_encoding_the_bytes_do_not_fit_is_refused():
    with pytest.raises(ImportRejected, match="not valid UTF-8 text"):
        decode_text(GREEK.encode("iso8859_7"), "utf-8")
    with pytest.raises(ImportRejected, match="not an encoding"):
        decode_text(b"abc", "no-such-codec")

"""Which encoding a .txt transcript is in (issue 7, item 14)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from django.conf import settings

from interviews.encodings import decoded, guess, label, plausible
from interviews.text import decode_text, utf8_with_slips

SPANISH = "Entrevistador: ¿Cómo fue su primera semana?\nR1: Difícil, señora, pero ayudaron mucho."
FRENCH = "Intervieweur : Comment s'est passée votre semaine ?\nR1 : Difficile, l'équipe m'a aidé."
GERMAN = "Interviewer: Wie war Ihre erste Woche?\nR1: Schwierig, aber große Unterstützung."
GREEK = "Ερευνητής: Πώς ήταν η πρώτη σας εβδομάδα;\nΑπ: Δύσκολη, αλλά οι συνάδελφοι βοήθησαν."
RUSSIAN = "Интервьюер: Как прошла ваша первая неделя?\nР1: Тяжело, но коллеги очень помогли."
TURKISH = "Görüşmeci: İlk haftanız nasıl geçti?\nK1: Zordu ama iş arkadaşlarım yardımcı oldu."
R22 = Path(settings.BASE_DIR).parent / "shared" / "cases" / "R22-greek-iso8859-7.txt"


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        (SPANISH, "cp1252", "cp1252"),
        (FRENCH, "cp1252", "cp1252"),
        (GERMAN, "cp1252", "cp1252"),
        (GREEK, "utf-8", "utf-8"),
        (RUSSIAN, "utf-16", "utf-16"),
    ],
)
def test_the_ladder_stands_where_it_reads_right(text, encoding, expected):
    found = guess(text.encode(encoding))
    assert (found.encoding, found.sure) == (expected, True)
    assert decoded(text.encode(encoding), found.encoding) == text


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (GREEK, "iso8859-7"),
        (GREEK, "cp1253"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8-r"),
        (TURKISH, "cp1254"),
    ],
)
def test_a_legacy_code_page_is_never_taken_for_windows_1252(text, encoding):
    raw = text.encode(encoding)
    assert not plausible(raw.decode("cp1252", "replace"))
    found = guess(raw)
    assert not found.sure
    # The right encoding is among those offered, and reads right.
    assert codecs.lookup(encoding).name in {codecs.lookup(c).name for c in found.candidates}
    assert decoded(raw, encoding) == text


def test_utf16_is_offered_only_with_its_byte_order_mark():
    assert "utf-16" not in guess(SPANISH.encode("cp1252")).candidates


@pytest.mark.skipif(not R22.exists(), reason="../shared/cases is not beside this checkout")
def test_the_greek_case_is_not_sure_and_offers_greek():
    found = guess(R22.read_bytes())
    assert not found.sure
    assert "iso8859-7" in found.candidates
    assert "Καλημέρα" in decoded(R22.read_bytes(), "iso8859-7")


def test_labels_name_the_encoding_for_people():
    assert label("iso8859_7") == "Greek (ISO-8859-7)"
    assert label("windows-1251") == "Cyrillic (Windows-1251)"


def test_a_windows_1252_file_whose_bytes_form_a_little_utf8_is_read_as_windows_1252():
    # "Ã©" is C3 A9 in Windows-1252, a UTF-8 "é": fewer such pairs than bytes that are not
    # UTF-8, so the file is Windows-1252 whose bytes happen to form some UTF-8.
    raw = "R1: Ça coûte 3 Ã© — très cher, à vrai dire.\n".encode("cp1252")
    assert decode_text(raw) == (raw.decode("cp1252"), "Western European (Windows-1252)")
    assert guess(raw).encoding == "cp1252"


def test_a_utf8_file_with_stray_windows_1252_bytes_names_each_line():
    raw = "R1: Sí, señor, ça va.\n".encode() * 3 + b"R1: It\x92s \x93fine\x94.\nR1: \x85\n"
    slips = utf8_with_slips(raw)
    assert slips.text.splitlines()[3:] == ["R1: It’s “fine”.", "R1: …"]
    assert slips.warning() == (
        "4 bytes are not UTF-8 and were read as Windows-1252: line 4 (0x92, read as ’), "
        "line 4 (0x93, read as “), line 4 (0x94, read as ”), line 5 (0x85, read as …); "
        "check those lines"
    )
    # A byte Windows-1252 leaves undefined is no slip of a Word paste.
    assert utf8_with_slips("Sí, señor.".encode() + b"\x81") is None


# A few real sentences in each language, as an interview transcribed in it would hold them.
GREEK_INTERVIEW = (
    "Ερευνητής: Πόσο καιρό εφαρμόζετε τη μείωση της βλάβης στην πρακτική σας;\n"
    "Απ: Περίπου τρία χρόνια. Στην αρχή ήταν δύσκολο, γιατί η υπηρεσία μας πίστευε μόνο "
    "στην αποχή.\n"
)
GREEK_SHORT = "Καλημέρα, ήταν δύσκολη αλλά ενδιαφέρουσα μέρα.\n"
# Ά is the one Greek letter the two code pages put at different bytes.
GREEK_ANNA = "Άννα: Άρχισα πριν από τρία χρόνια. Ήταν δύσκολο, αλλά άξιζε.\n"
UKRAINIAN = (
    "Інтерв'юер: Як минув ваш перший тиждень?\n"
    "Р1: Було важко, але колеги дуже допомогли. Їхня підтримка є щоденною."
)
BULGARIAN = (
    "Интервюиращ: Как мина първата ви седмица?\nР1: Беше трудно, но колегите много ми помогнаха."
)
POLISH = "Ankieter: Jak minął pierwszy tydzień?\nR1: Było ciężko, ale koledzy bardzo mi pomogli."


@pytest.mark.parametrize("text", [GREEK, GREEK_INTERVIEW, GREEK_SHORT, GREEK_ANNA])
@pytest.mark.parametrize("encoding", ["iso8859-7", "cp1253"])
def test_greek_is_guessed_as_greek_never_as_cyrillic(text, encoding):
    found = guess(text.encode(encoding))
    assert label(found.encoding).startswith("Greek (")
    # The proposal reads the file as written, Ά included.
    assert decoded(text.encode(encoding), found.encoding) == text
    assert not found.sure


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (RUSSIAN, "cp1251"),
        (RUSSIAN, "koi8-r"),
        (RUSSIAN, "iso8859-5"),
        (UKRAINIAN, "cp1251"),
        (UKRAINIAN, "koi8-u"),
        (BULGARIAN, "cp1251"),
        (TURKISH, "cp1254"),
        (POLISH, "cp1250"),
        (POLISH, "iso8859-2"),
    ],
)
def test_the_other_languages_are_guessed_as_written(text, encoding):
    found = guess(text.encode(encoding))
    assert decoded(text.encode(encoding), found.encoding) == text
    assert not found.sure


CZECH = (
    "Tazatel: Jak probíhal váš první týden?\n"
    "R1: Bylo to těžké, ale kolegové mi hodně pomohli. Ťuknout na dveře šéfa nebylo snadné."
)


def test_a_windows_1250_file_with_bytes_windows_1252_leaves_undefined_is_offered_its_encoding():
    # Ť is 0x8D in Windows-1250, a byte Windows-1252 does not define: the ladder refuses the
    # file, where Central European (Windows-1250) reads it.
    raw = CZECH.encode("cp1250")
    found = guess(raw)
    assert "cp1250" in found.candidates
    assert decoded(raw, "cp1250") == CZECH
    assert not found.sure


@pytest.mark.parametrize("encoding", ["cp1250", "iso8859-2"])
def test_a_czech_file_with_y_acute_is_proposed_in_its_central_european_code_page(encoding):
    # ý is a Czech and Slovak letter as much as an Icelandic one: beside ě, ř or Ť it is no
    # sign of Greek or Turkish bytes misread, and the code page that reads it is proposed.
    raw = CZECH.encode(encoding)
    found = guess(raw)
    assert found.encoding == encoding
    assert decoded(raw, found.encoding) == CZECH
    assert not found.sure

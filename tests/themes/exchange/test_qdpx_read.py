"""Reading REFI-QDA files leniently: what real tools write (../shared/refi/NOTES.md)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from themes.exchange.qdpx_read import _Utf16, read_exchange

from .qdpx_files import (
    G_CHILD,
    TRANSCRIPT,
    codebook_qdc,
    nvivo_qdpx,
    point_span,
    project_xml,
    qdpx,
    samples,
    selection,
)

LF_TEXT = TRANSCRIPT.replace("\r\n", "\n")


def _words(exchange) -> list[str]:
    source = exchange.sources[0]
    return [source.text[s.start : s.end] for s in source.selections]


@pytest.mark.parametrize("folder", ["sources", "Sources", "SOURCES"])
@pytest.mark.parametrize("qde", ["project.qde", "Project.qde", "My study.qde"])
def test_it_finds_the_project_xml_and_sources_by_any_usual_name(folder, qde):
    exchange = read_exchange("p.qdpx", nvivo_qdpx(folder=folder, qde=qde))

    assert exchange.name == "Peer support"
    # The BOM is gone and CRLF is LF, so the text is what the positions are counted over.
    assert exchange.sources[0].text == LF_TEXT
    assert _words(exchange) == ["never looked back", "My colleagues, every day."]


def test_it_converts_positions_nvivo_counted_in_utf16_units():
    exchange = read_exchange("p.qdpx", nvivo_qdpx())

    assert _words(exchange) == ["never looked back", "My colleagues, every day."]
    assert exchange.adjusted[-1].startswith(
        "the positions in “First interview” were counted in UTF-16"
    )


@pytest.mark.parametrize(
    ("origin", "counted_over", "words", "adjustment"),
    [
        # Code points over the CRLF text, as the standard says: no conversion.
        ("QualCoder 3.6", TRANSCRIPT, "never looked back", None),
        # ATLAS.ti counts a CRLF as one character (NOTES.md §3.6).
        ("ATLAS.ti 23.2", LF_TEXT, "My colleagues, every day.", "a Windows line break"),
    ],
)
def test_it_reads_positions_as_each_tool_counts_them(origin, counted_over, words, adjustment):
    span = point_span(counted_over, words)
    xml = project_xml(
        origin=origin,
        selections=selection("81111111-1111-4111-8111-111111111111", span, G_CHILD),
    )
    exchange = read_exchange("p.qdpx", nvivo_qdpx(xml))

    assert _words(exchange) == [words]
    converted = [line for line in exchange.adjusted if "positions" in line]
    if adjustment is None:
        assert converted == []
    else:
        assert len(converted) == 1
        assert adjustment in converted[0]


def test_it_takes_empty_lists_and_any_qda_namespace():
    xml = project_xml(namespace="urn:QDA-XML:project:1:0").replace(
        b"<Variables>", b"<Links/><Graphs/><Variables>"
    )
    exchange = read_exchange("p.qdpx", nvivo_qdpx(xml))

    assert [c.name for c in exchange.all_codes()] == ["Support", "Colleagues", "Start"]


@pytest.mark.parametrize(
    "namespace",
    ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:0:4", "urn:QDA-XML:codebook:1:0"],
)
def test_it_reads_codebooks_of_every_namespace_seen(namespace):
    # With a BOM before the XML declaration and an empty <Sets/>, as Taguette writes.
    exchange = read_exchange("tags.qdc", codebook_qdc(namespace))

    assert exchange.codebook_only
    assert [c.name for c in exchange.codes] == ["Support", "Hope"]


def test_it_reads_colours_leniently():
    exchange = read_exchange("p.qdpx", nvivo_qdpx())

    colours = {c.name: c.colour for c in exchange.all_codes()}
    assert colours == {"Support": "#ff0000", "Colleagues": "", "Start": "#00aa00"}


def test_a_project_without_sources_is_a_codebook():
    xml = project_xml().replace(b"<Sources>", b"<Sources/><X>").replace(b"</Sources>", b"</X>")
    exchange = read_exchange("p.qdpx", qdpx({"project.qde": xml}))

    assert exchange.codebook_only


def test_a_missing_source_file_is_reported_not_invented():
    exchange = read_exchange("p.qdpx", qdpx({"project.qde": project_xml()}))

    assert exchange.sources[0].text is None
    assert exchange.dropped == [
        "the source “First interview” (its text file is missing from the project)"
    ]


def test_every_sample_reads():
    for path in samples():
        exchange = read_exchange(path.name, path.read_bytes())
        assert list(exchange.all_codes()), path.name


def test_the_annex_sample_reports_media_graph_and_sets():
    path = next((p for p in samples() if p.name.startswith("atlasti-mac")), None)
    if path is None:
        pytest.skip("the ATLAS.ti 8.4 sample is not among the samples")
    exchange = read_exchange(path.name, path.read_bytes())

    dropped = "\n".join(exchange.dropped)
    assert "an image" in dropped
    assert "a PDF" in dropped
    assert "a video" in dropped
    assert "an audio recording" in dropped
    assert "the graph" in dropped
    assert len(exchange.sets) == 16
    assert len(exchange.notes) == 2


@given(st.text(alphabet=st.sampled_from(list("ab é\n😀🎉𝄞"))))
def test_utf16_offsets_convert_to_code_points(text):
    units = _Utf16(text)
    for index in range(len(text) + 1):
        unit = len(text[:index].encode("utf-16-le")) // 2
        assert units.point(unit) == index
        if index < len(text) and ord(text[index]) > 0xFFFF:
            # Between the two units of one character: no code point.
            assert units.point(unit + 1) == -1
    assert units.point(len(text.encode("utf-16-le")) // 2 + 1) == -1

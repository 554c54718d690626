"""No file that quotes the transcripts is made while a string of the study's
de-identification list is still unreviewed in them (DESIGN: pseudonyms only, no names of
people or agencies in anything exported).

One check for every download that holds a transcript's words: the findings .docx (its
quotes), the memos .docx (an excerpt's words above its memo), the excerpts' .csv and .xlsx
(the study's, and the Excerpts page's filtered ones) and the REFI-QDA project. Only the
project may be made anyway, by the owner's choice: it moves the whole study into another
tool, where it may be de-identified. The matrices, the charts and the codebook hold counts
and the researcher's own words, never a transcript's.
"""

from __future__ import annotations

from interviews import deidentify
from interviews.models import Study


def identifying_refusal(count: int, *, owner_may_override: bool = False) -> str:
    """What the researcher reads when `count` (> 0) occurrences of listed identifying
    strings are still unreviewed (neither replaced nor kept) in the study's transcripts;
    `owner_may_override` adds how the owner makes the file anyway (the REFI-QDA project's
    tick)."""
    places = "1 place" if count == 1 else f"{count:,} places"
    message = (
        f"Not exported: {places} in the transcripts still hold a string from the study's "
        "de-identification list, neither replaced nor kept. Review them on the "
        "de-identification page first"
    )
    if owner_may_override:
        return message + ", or (owners only) tick “include text that is not de-identified”."
    return message + "."


def unreviewed_refusal(study: Study) -> str:
    """The refusal of a download that quotes `study`'s transcripts (identifying_refusal),
    or "" when nothing listed is unreviewed and the file may be made.

    Queries: 1 when the study's de-identification list is empty, else those of
    interviews.deidentify.study_unreviewed_count (which reads every counted transcript).
    """
    # Looked up on the module, so that the check is the one de-identification keeps.
    count = deidentify.study_unreviewed_count(study=study)
    return identifying_refusal(count) if count else ""

"""REFI-QDA exchange: a study as a .qdpx project or a .qdc codebook, for NVivo, ATLAS.ti,
MAXQDA, QualCoder and the like (REFI-QDA 1.5; schemas "Project-mrt2019" and
"Codebook-mrt2019", namespaces urn:QDA-XML:project:1.0 and urn:QDA-XML:codebook:1.0).

Export (`qdpx_export.study_export_qdpx`), in small modules:

- `guids.py`: stable GUIDs, uuid5 under a per-study namespace from primary keys.
- `reading.py`: what is read, in a fixed number of queries, in a fixed order.
- `layout.py`: the stated layout of a code's description (Definition, Inclusion
  criteria, Exclusion criteria, Example) and of a theme's, written and read back.
- `codebook.py`: the code tree and the themes as Sets of codes (why Sets: there).
- `project.py`: project.qde: users, Cases with typed Variables, TextSources with their
  PlainTextSelections and Codings, Notes (memos and journal), Sets (why and how: there).
- `left_out.py`: what of the study a project does not carry (quotes, comments, review
  marks...), counted, named in the project's Description and read back into the import's
  report; its docstring lists every model of a study and where it goes.
- `archive.py`: the ZIP, byte-identical for the same content.
- `xml.py`: the streaming XML writer.

Import (`qdpx_import.study_import_qdpx`, `qdpx_import.codebook_import`): `qdpx_read.py`
reads a file from any tool leniently and safely into dataclasses; `qdpx_import.py` decides
every row with the app's rules and reports what was dropped or adjusted; `bulk.py` writes
each kind of row at once, with its history records, in the import's one transaction.

The decisions, in short: themes are Sets of codes (a code may serve several themes; a
tree level could not say so); the excerpt's memo is its selection's Description, every
other memo and each journal entry a Note referred to from what it is about (the Project
for the journal); respondents are Cases whose attributes are Variables (Text, or Integer
/ Float for numbers); positions are code points, end exclusive; withdrawn respondents
and all of theirs are left out.
"""

"""The GET forms of the retrieval page and the matrices: they read a filter from the URL, so
that a filtered page can be shared, bookmarked and gone back to.

Their choices come from a retrieval.StudyIndex already read, so parsing costs no query;
an id that is not the study's (a code deleted since the link was made) is refused with
Django's "Select a valid choice" message, never a 500; a respondent, with why
(RespondentsField).
"""

from __future__ import annotations

import re

from django import forms

from core.dates import check_order
from core.sanitise import SanitisedCharField
from core.widgets import (
    QuickCheckboxInput,
    QuickDateInput,
    QuickNumberInput,
    QuickSelect,
    QuickSelectMultiple,
    QuickTextInput,
)

from .matrices import (
    ATTRIBUTE,
    BY_CHOICES,
    CODE,
    CODES,
    COUNT_CHOICES,
    EXCERPTS,
    RESPONDENT,
    ROW_CHOICES,
)
from .retrieval import (
    ANY,
    CODED_RULE,
    CODER_RULE,
    MATCH_CHOICES,
    AttributeCondition,
    Filter,
    StudyIndex,
)


def _ids(label: str, help_text: str = "") -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        coerce=int,
        required=False,
        label=label,
        help_text=help_text,
        widget=QuickSelectMultiple(attrs={"size": 6}),
    )


def _indented(rows: list[dict], label: str = "name") -> list[tuple[int, str]]:
    # A non-breaking space per level: <option> keeps no other indentation.
    return [(row["id"], "\u00a0\u00a0" * row.get("depth", 0) + row[label]) for row in rows]


# What a filter says of a respondent it cannot keep (RespondentsField).
RESPONDENT_GONE = (
    "That respondent is no longer in the study's findings: they withdrew (and may have been "
    "erased since), or have no transcript yet. Take them out of the filter."
)


class RespondentsField(forms.TypedMultipleChoiceField):
    """The respondents a filter keeps, by id in the URL; its choices are the counted ones.

    A saved link can name a respondent who has since withdrawn or been erased, or who has
    no transcript yet: it is refused saying so, not with Django's "Select a valid choice. 8
    is not one of the available choices." The message names no one and reads nothing: the
    form's HTML is cached under its choices (themes.views.retrieval._filters), which an
    erasure of a withdrawn respondent leaves as they were. Raises ValidationError (code
    "invalid_choice")."""

    def __init__(self, label: str = "Respondents"):
        super().__init__(
            coerce=int,
            required=False,
            label=label,
            widget=QuickSelectMultiple(attrs={"size": 6}),
            error_messages={"invalid_choice": RESPONDENT_GONE},
        )


# What a ticked box is in a URL: "on", which browsers send for a box without a value, and
# Django's "true"; unticked, it is not sent at all (or "", or Django's "false").
TICKED = ("on", "true")
UNTICKED = ("", "false")


class TickBoxInput(QuickCheckboxInput):
    """A tick box whose value in the URL is read as sent, for TickBoxField to judge:
    Django's CheckboxInput reads any other string (review=bogus) as ticked. Drawn without
    a value (the browser sends "on") and ticked only for a real one."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: value is True or value in TICKED)

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def format_value(self, value):
        return None


class TickBoxField(forms.BooleanField):
    """A tick box of a filter read from the URL: True for TICKED, False when absent or
    UNTICKED; any other value is refused (ValidationError, code "invalid") with a message
    naming it, never read as ticked."""

    widget = TickBoxInput
    default_error_messages = {
        "invalid": "The address gives this box “%(value)s”, which is neither ticked nor "
        "unticked: tick it or leave it empty.",
    }

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        if value is None or value is False or value in UNTICKED:
            return False
        if value is True or value in TICKED:
            return True
        raise forms.ValidationError(
            self.error_messages["invalid"], code="invalid", params={"value": value}
        )


# The parts of one attribute condition, as the URL names them. The first condition keeps
# the bare names (links made before there were several, and the matrices' cells, use
# them); the n-th adds "_n": "attribute=Years of experience&at_least=3&attribute_2=Agency
# type&value_2=county".
ATTRIBUTE_PARTS = ("attribute", "value", "at_least", "at_most")
_NUMBERED_PART = re.compile(r"^(?:attribute|value|at_least|at_most)_(\d+)$")


def attribute_field(part: str, n: int) -> str:
    """The URL name of `part` (one of ATTRIBUTE_PARTS) of the n-th condition (from 1)."""
    return part if n == 1 else f"{part}_{n}"


class RetrievalForm(forms.Form):
    code = _ids("Codes")
    match = forms.ChoiceField(
        choices=MATCH_CHOICES, required=False, label="Excerpts with", widget=QuickSelect
    )
    theme = _ids("Themes")
    respondent = RespondentsField()
    question = _ids("Questions")
    coder = _ids("Coded by", help_text=CODER_RULE)
    # What both dates select, said once below the pair (retrieval.html) and read out with
    # each date (aria-describedby).
    coded_help = CODED_RULE
    coded_from = forms.DateField(
        required=False,
        label="Coded from",
        widget=QuickDateInput(attrs={"type": "date", "aria-describedby": "coded_helptext"}),
    )
    coded_to = forms.DateField(
        required=False,
        label="to",
        widget=QuickDateInput(attrs={"type": "date", "aria-describedby": "coded_helptext"}),
    )
    memo = forms.ChoiceField(
        required=False,
        label="Memo",
        choices=[("", "with or without"), ("with", "with a memo"), ("without", "without a memo")],
        widget=QuickSelect,
    )
    review = TickBoxField(
        label="Only excerpts marked for review",
        # An excerpt whose words were all removed is left out of every count and list of
        # the analysis (ORPHANED): the flash after the edit says it is "marked for review",
        # so the filter says where it is.
        help_text=(
            "Their words changed when the transcript was edited or de-identified. An "
            "excerpt whose words were all removed is not listed here: it waits on its "
            "transcript's coding page."
        ),
    )
    words = SanitisedCharField(
        required=False,
        max_length=200,
        widget=QuickTextInput,
        label="Words",
        help_text='Every word must occur in the excerpt; "a phrase" in quotes counts as one.',
    )

    def __init__(self, data, *, index: StudyIndex):
        super().__init__(data)
        self.index = index
        self.fields["code"].choices = _indented(index.codes)
        self.fields["theme"].choices = _indented(index.themes)
        self.fields["respondent"].choices = [(r["id"], r["pseudonym"]) for r in index.respondents]
        self.fields["question"].choices = [
            (q["id"], f"Q{q['number']}. {q['text']}") for q in index.questions
        ]
        self.fields["coder"].choices = [
            (c["id"], c["username"] if c["member"] else f"{c['username']} (no longer a member)")
            for c in index.coders
        ]
        # One condition per attribute the study records is room enough: a second condition
        # on the same attribute adds nothing a range cannot say.
        names = index.study.attribute_names
        self.attribute_slots = max(1, len(names))
        for n in range(1, self.attribute_slots + 1):
            self.fields[attribute_field("attribute", n)] = forms.ChoiceField(
                required=False,
                label="Attribute" if n == 1 else "and attribute",
                widget=QuickSelect,
                choices=[("", "(any)")] + [(name, name) for name in names],
            )
            self.fields[attribute_field("value", n)] = SanitisedCharField(
                required=False, max_length=200, label="is", widget=QuickTextInput
            )
            self.fields[attribute_field("at_least", n)] = forms.FloatField(
                required=False, label="at least", widget=QuickNumberInput
            )
            self.fields[attribute_field("at_most", n)] = forms.FloatField(
                required=False, label="at most", widget=QuickNumberInput
            )

    def attribute_rows(self) -> list[list[forms.BoundField]]:
        """The attribute conditions to show, each as its four bound fields in
        ATTRIBUTE_PARTS order: those the URL fills and one empty after them (two at
        least), so that a researcher can add one without any script."""
        filled = [
            n
            for n in range(1, self.attribute_slots + 1)
            if any(self.data.get(attribute_field(part, n)) for part in ATTRIBUTE_PARTS)
        ]
        shown = min(self.attribute_slots, max([2, *(n + 1 for n in filled)]))
        return [
            [self[attribute_field(part, n)] for part in ATTRIBUTE_PARTS]
            for n in range(1, shown + 1)
        ]

    def clean(self):
        data = super().clean()
        for key in self.data:
            found = _NUMBERED_PART.match(key)
            if found and not 2 <= int(found[1]) <= self.attribute_slots:
                # Never dropped in silence: the researcher would read results the link's
                # author did not mean.
                raise forms.ValidationError(
                    f"The address asks for attribute condition {found[1]}, but this study "
                    f"has room for {self.attribute_slots} only, one per attribute it "
                    "records: clear the filter and choose again."
                )
        conditions = []
        for n in range(1, self.attribute_slots + 1):
            condition = self._attribute_condition(data, n)
            if condition is not None:
                conditions.append(condition)
        data["attributes"] = tuple(conditions)
        check_order(
            data.get("coded_from"),
            data.get("coded_to"),
            message="The first date coded is after the last.",
        )
        return data

    def _attribute_condition(self, data: dict, n: int) -> AttributeCondition | None:
        """The n-th condition of the cleaned `data`, None when empty or wrong (its
        error is then added beside the field at fault)."""
        attribute, value, low, high = (data.get(attribute_field(p, n)) for p in ATTRIBUTE_PARTS)
        ranged = low is not None or high is not None
        if (value or ranged) and not attribute:
            field = attribute_field("attribute", n)
            self.add_error(field, "Choose the attribute whose value you mean.")
            return None
        if ranged and self.index.attribute_type(attribute) != "number":
            field = attribute_field("at_least" if low is not None else "at_most", n)
            self.add_error(field, f"“{attribute}” is text: give a value, not a range.")
            return None
        if low is not None and high is not None and low > high:
            field = attribute_field("at_least", n)
            self.add_error(field, "“At least” is more than “at most”: nothing can match.")
            return None
        if not attribute:
            return None
        return AttributeCondition(attribute, value or "", low, high)

    def filter(self) -> Filter:
        """The Filter of a valid form."""
        data = self.cleaned_data
        return Filter(
            codes=tuple(data["code"]),
            match=data["match"] or ANY,
            themes=tuple(data["theme"]),
            respondents=tuple(data["respondent"]),
            attributes=data["attributes"],
            questions=tuple(data["question"]),
            coders=tuple(data["coder"]),
            coded_from=data["coded_from"],
            coded_to=data["coded_to"],
            memo=data["memo"],
            words=data["words"],
            review=data["review"],
        )


class MatrixForm(forms.Form):
    rows = forms.ChoiceField(choices=ROW_CHOICES, required=False, label="Rows")
    by = forms.ChoiceField(choices=BY_CHOICES, required=False, label="Across")
    count = forms.ChoiceField(choices=COUNT_CHOICES, required=False, label="Count")
    attribute = forms.ChoiceField(required=False, label="Attribute")

    def __init__(self, data, *, index: StudyIndex):
        super().__init__(data)
        self.index = index
        names = index.study.attribute_names
        self.fields["attribute"].choices = [(name, name) for name in names]

    def clean(self):
        data = super().clean()
        data["rows"] = data.get("rows") or CODES
        data["by"] = data.get("by") or RESPONDENT
        data["count"] = data.get("count") or EXCERPTS
        if data["by"] == CODE and data["rows"] != CODES:
            raise forms.ValidationError("Co-occurrence is counted between codes: choose codes.")
        if data["by"] == ATTRIBUTE:
            names = self.index.study.attribute_names
            if not names:
                raise forms.ValidationError("This study records no respondent attributes.")
            data["attribute"] = data.get("attribute") or names[0]
        return data

"""The GET forms of the retrieval page and the matrices: they read a filter from the URL, so
that a filtered page can be shared, bookmarked and gone back to.

Their choices come from a retrieval.StudyIndex already read, so parsing costs no query;
an id that is not the study's (a code deleted since the link was made) is refused with
Django's "Select a valid choice" message, never a 500.
"""

from __future__ import annotations

from django import forms

from core.sanitise import SanitisedCharField

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
from .retrieval import ANY, MATCH_CHOICES, Filter, StudyIndex


def _ids(label: str) -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        coerce=int, required=False, label=label, widget=forms.SelectMultiple(attrs={"size": 6})
    )


def _indented(rows: list[dict], label: str = "name") -> list[tuple[int, str]]:
    # A non-breaking space per level: <option> keeps no other indentation.
    return [(row["id"], "\u00a0\u00a0" * row.get("depth", 0) + row[label]) for row in rows]


class RetrievalForm(forms.Form):
    code = _ids("Codes")
    match = forms.ChoiceField(choices=MATCH_CHOICES, required=False, label="Excerpts with")
    theme = _ids("Themes")
    respondent = _ids("Respondents")
    attribute = forms.ChoiceField(required=False, label="Attribute")
    value = SanitisedCharField(required=False, max_length=200, label="is")
    at_least = forms.FloatField(required=False, label="at least")
    at_most = forms.FloatField(required=False, label="at most")
    question = _ids("Questions")
    coder = _ids("Coded by")
    coded_from = forms.DateField(
        required=False, label="Coded from", widget=forms.DateInput(attrs={"type": "date"})
    )
    coded_to = forms.DateField(
        required=False, label="to", widget=forms.DateInput(attrs={"type": "date"})
    )
    memo = forms.ChoiceField(
        required=False,
        label="Memo",
        choices=[("", "with or without"), ("with", "with a memo"), ("without", "without a memo")],
    )
    words = SanitisedCharField(
        required=False,
        max_length=200,
        label="Words",
        help_text='Every word must occur in the excerpt; "a phrase" in quotes counts as one.',
    )

    def __init__(self, data, *, index: StudyIndex):
        super().__init__(data)
        self.index = index
        self.fields["code"].choices = _indented(index.codes)
        self.fields["theme"].choices = _indented(index.themes)
        self.fields["respondent"].choices = [(r["id"], r["pseudonym"]) for r in index.respondents]
        self.fields["attribute"].choices = [("", "(any)")] + [
            (name, name) for name in index.study.attribute_names
        ]
        self.fields["question"].choices = [
            (q["id"], f"Q{q['number']}. {q['text'][:80]}") for q in index.questions
        ]
        self.fields["coder"].choices = [(c["id"], c["username"]) for c in index.coders]

    def clean(self):
        data = super().clean()
        attribute = data.get("attribute")
        ranged = data.get("at_least") is not None or data.get("at_most") is not None
        if (data.get("value") or ranged) and not attribute:
            raise forms.ValidationError("Choose the attribute whose value you mean.")
        if ranged and self.index.attribute_type(attribute) != "number":
            raise forms.ValidationError(f"“{attribute}” is text: give a value, not a range.")
        low, high = data.get("at_least"), data.get("at_most")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError("“At least” is more than “at most”: nothing can match.")
        start, end = data.get("coded_from"), data.get("coded_to")
        if start and end and start > end:
            raise forms.ValidationError("The first date coded is after the last.")
        return data

    def filter(self) -> Filter:
        """The Filter of a valid form."""
        data = self.cleaned_data
        # The form's fields are named as a URL reads ("code=3&code=5"), the filter's as
        # what they hold.
        plural = {"code": "codes", "theme": "themes", "respondent": "respondents"}
        plural |= {"question": "questions", "coder": "coders"}
        values = {plural.get(name, name): value for name, value in data.items()}
        values.update({name: tuple(values[name]) for name in plural.values()})
        values["match"] = values["match"] or ANY
        return Filter(**values)


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

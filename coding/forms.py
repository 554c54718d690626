from __future__ import annotations

import re

from django import forms

from interviews.forms import SearchForm
from interviews.sanitise import SanitisedCharField

from .autocode import Unit, parse_picks
from .models import Code
from .palette import PALETTE, next_colour


class ColourInput(forms.TextInput):
    """The browser's colour picker, offering the palette as suggestions (a <datalist> the
    template renders with the id in `list`)."""

    input_type = "color"


class CodeForm(forms.Form):
    name = SanitisedCharField(max_length=120)
    # Any colour, as the picker sends it: #rrggbb. A new code's picker starts on the first
    # palette colour the study does not use yet, so saving without choosing keeps codes apart.
    colour = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}\Z",
        required=False,
        widget=ColourInput(attrs={"list": "palette-colours"}),
        help_text="Any colour; the picker suggests the palette's.",
        error_messages={"invalid": "Enter a colour as #rrggbb, for example #2563eb."},
    )
    parent = forms.ModelChoiceField(
        queryset=Code.objects.none(), required=False, empty_label="(top level)", label="Under"
    )
    definition = SanitisedCharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    inclusion = SanitisedCharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Use when"
    )
    exclusion = SanitisedCharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Do not use when"
    )
    example = SanitisedCharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, study, code: Code | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = study.codes.all()
        if code is not None:
            parents = parents.exclude(pk=code.pk)
        self.fields["parent"].queryset = parents
        if code is None and not self.is_bound:
            used = study.codes.values_list("colour", flat=True)
            self.initial.setdefault("colour", next_colour(used))

    palette = PALETTE

    def clean_colour(self) -> str:
        """#rrggbb in lower case, or "" when none was sent (the service then chooses)."""
        return self.cleaned_data["colour"].lower()

    def texts(self) -> dict[str, str]:
        return {
            field: self.cleaned_data[field]
            for field in ("definition", "inclusion", "exclusion", "example")
        }


class MarginForm(forms.Form):
    """Show or hide the coding margin: `shown` is "1" or "0"."""

    shown = forms.TypedChoiceField(
        choices=[("1", "Show"), ("0", "Hide")], coerce=lambda v: v == "1"
    )


class PassageForm(forms.Form):
    """A suggested passage to code: where it is (code points, end exclusive), the words the
    page showed there and the transcript version they were read from."""

    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    version = forms.IntegerField(min_value=1)
    text = forms.CharField(strip=False)


class AutocodeForm(SearchForm):
    """What to search (q, parsed into cleaned_data["query"]) and how far to widen each hit:
    the preview's GET parameters."""

    unit = forms.TypedChoiceField(
        label="Code",
        choices=Unit.choices,
        initial=Unit.SENTENCE,
        required=False,  # a link from the search page sends only the query
        empty_value=Unit.SENTENCE,
        widget=forms.RadioSelect,
    )


class PassageKeysField(forms.MultipleChoiceField):
    """The ticked passages of a preview: Passage.key values, parsed by parse_picks."""

    def valid_value(self, value) -> bool:
        return re.fullmatch(r"\d{1,12}:\d{1,12}:\d{1,12}:\d{1,12}", value) is not None

    def clean(self, value):
        return parse_picks(super().clean(value))


class AutocodeApplyForm(forms.Form):
    """The preview's POST: the ticked passages and the code to apply (or a new name)."""

    pick = PassageKeysField(
        error_messages={"required": "Tick at least one passage to code; nothing was coded."}
    )
    code = forms.ModelChoiceField(queryset=Code.objects.none(), required=False)
    new_code = SanitisedCharField(max_length=120, required=False, label="or a new code")

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = study.codes.all()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("code") and not cleaned.get("new_code") and not self.errors:
            raise forms.ValidationError(
                "Choose a code, or type the name of a new one; nothing was coded."
            )
        return cleaned

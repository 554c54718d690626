from __future__ import annotations

import re

from django import forms

from core.limits import LimitedTextField
from core.naming import name_key
from core.sanitise import SanitisedCharField
from interviews.forms import SearchForm

from .autocode import Unit, parse_picks
from .models import Code
from .palette import PALETTE, next_colour
from .picker import similar_codes
from .services import CodeChoice


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
    definition = LimitedTextField(noun="definition", required=False)
    inclusion = LimitedTextField(
        noun="“Use when”",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Use when",
    )
    exclusion = LimitedTextField(
        noun="“Do not use when”",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Do not use when",
    )
    example = LimitedTextField(
        noun="example", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Shown as a checkbox only once a name was found to look like another code's.
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, study, code: Code | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code
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

    def clean(self):
        """A new name that looks like another code's ("Peer suport" beside "Peer
        support") is asked about first, as the coding page's picker does: an error on the
        name, and a box to tick to keep it as a code of its own."""
        cleaned = super().clean()
        name = cleaned.get("name")
        renamed = self.code is None or name_key(name or "") != name_key(self.code.name)
        if name and renamed and not cleaned.get("confirm_new"):
            others = self.fields["parent"].queryset  # the study's codes but this one
            if similar := similar_codes(name, others):
                alike = " or ".join(f"“{code.name}”" for code in similar)
                self.add_error(
                    "name",
                    f"“{name}” looks like {alike}. Use that code, correct the name, or tick "
                    "the box below to keep it as a code of its own.",
                )
                self.fields["confirm_new"].widget = forms.CheckboxInput()
                self.fields["confirm_new"].label = f"Yes, “{name}” is a code of its own"
        return cleaned

    def texts(self) -> dict[str, str]:
        return {
            field: self.cleaned_data[field]
            for field in ("definition", "inclusion", "exclusion", "example")
        }


class MarginForm(forms.Form):
    """Show or hide the coding margin: `shown` is "1" or "0"."""

    shown = forms.TypedChoiceField(
        choices=[("1", "Show"), ("0", "Hide")],
        coerce=lambda v: v == "1",
        error_messages={
            "required": "Say whether to show the codes in the margin.",
            "invalid_choice": "Say whether to show the codes in the margin.",
        },
    )


class IdsField(forms.Field):
    """Several ids posted under one name (the picker's chosen codes): a list of ints in the
    order sent, without repeats. Anything that is not a plain number is refused."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"invalid": "The request was damaged; reload the page."}

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        ids = []
        for item in value:
            # isdecimal, not isdigit: "²" is a digit that int() refuses.
            if not (isinstance(item, str) and item.isascii() and item.isdecimal()):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            ids.append(int(item))
        return list(dict.fromkeys(ids))


INCOMPLETE = "The request was incomplete; reload the page."


def _number(**messages) -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={"required": INCOMPLETE, "invalid": INCOMPLETE, **messages},
    )


class SelectionForm(forms.Form):
    """A passage selected on the coding page: [start, end) in code points of the transcript,
    the words the page showed there and the transcript version it showed. The service
    checks them against the transcript (coding.services.checked_span)."""

    PICK = "Select a passage in the transcript first."

    start = _number(required=PICK, invalid=PICK)
    end = _number(required=PICK, invalid=PICK)
    text = forms.CharField(strip=False, required=False)
    version = _number()

    def span(self) -> dict:
        """The service's keywords: start, end, seen_text, version."""
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "seen_text": data["text"],
            "version": data["version"],
        }


class ResizeForm(SelectionForm):
    """A new extent for an excerpt, and the excerpt's revision the panel showed."""

    revision = _number()


class MemoForm(forms.Form):
    memo = LimitedTextField(noun="memo", strip=False, required=False)
    revision = _number()


class CodeChoiceForm(forms.Form):
    """What the picker sends: codes chosen by id (`code`, repeated) and a name typed for a
    new code (`new_code`), asked about first when it looks like an existing code's name
    unless `confirm_new` is set."""

    code = IdsField(required=False)
    new_code = forms.CharField(required=False, max_length=120)
    confirm_new = forms.BooleanField(required=False)

    def choice(self) -> CodeChoice:
        data = self.cleaned_data
        return CodeChoice(
            ids=data["code"], new_name=data["new_code"], confirm_new=data["confirm_new"]
        )


class TranscriptTextForm(forms.Form):
    """A transcript's text edited by hand, and the version it was written against."""

    text = forms.CharField(strip=False, required=False)
    version = _number()


class MergeForm(forms.Form):
    """Merge a code into another (`into`); asked to confirm first, then `confirm` set."""

    into = forms.ModelChoiceField(
        queryset=Code.objects.none(),
        error_messages={
            "required": "Choose the code to merge into.",
            "invalid_choice": "Choose the code to merge into: that one no longer exists.",
        },
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = study.codes.all()


class CodeDeleteForm(forms.Form):
    """`confirm`: delete the code even from the excerpts that carry it."""

    confirm = forms.BooleanField(required=False)


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

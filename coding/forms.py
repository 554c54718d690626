from __future__ import annotations

from django import forms

from interviews.sanitise import SanitisedCharField

from .models import Code
from .palette import COLOUR_CHOICES


class CodeForm(forms.Form):
    name = SanitisedCharField(max_length=120)
    colour = forms.ChoiceField(choices=COLOUR_CHOICES, required=False, widget=forms.RadioSelect)
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

    def texts(self) -> dict[str, str]:
        return {
            field: self.cleaned_data[field]
            for field in ("definition", "inclusion", "exclusion", "example")
        }

from __future__ import annotations

from django import forms

from interviews.sanitise import SanitisedCharField

from .models import Theme


class ThemeForm(forms.Form):
    name = SanitisedCharField(max_length=160)
    description = SanitisedCharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    parent = forms.ModelChoiceField(
        queryset=Theme.objects.none(), required=False, empty_label="(a main theme)", label="Under"
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, study, theme: Theme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = study.themes.all()
        if theme is not None:
            parents = parents.exclude(pk=theme.pk)
        self.fields["parent"].queryset = parents


class CommentForm(forms.Form):
    body = SanitisedCharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment",
        error_messages={"required": "Write something first: the comment is empty."},
    )
    parent = forms.IntegerField(widget=forms.HiddenInput, required=False)


class QuoteExtractForm(forms.Form):
    extract = SanitisedCharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Words to print",
        help_text="The excerpt's words, in order; mark each cut with […]. "
        "Leave empty to print the whole excerpt.",
    )


class ChartsForm(forms.Form):
    """Which respondent attribute the prevalence chart groups by (in the URL: shareable)."""

    attribute = forms.ChoiceField(required=False, label="Group respondents by")

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        names = study.attribute_names
        self.fields["attribute"].choices = [("", "(no grouping)")] + [(n, n) for n in names]

from __future__ import annotations

from django import forms

from .models import Respondent, Role


class StudyForm(forms.Form):
    title = forms.CharField(max_length=200)
    research_question = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class QuestionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    topic = forms.CharField(max_length=120, required=False)


class AttributeForm(forms.Form):
    name = forms.CharField(max_length=60)
    type = forms.ChoiceField(choices=[("text", "Text"), ("number", "Number")])


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.docx"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class ImportForm(forms.Form):
    files = MultipleFileField(
        label="Transcript files",
        help_text="Plain text (.txt) or Word (.docx). Name them after the respondent, "
        "like R3-interview.docx, to assign them automatically.",
        error_messages={"required": "Choose at least one file to import."},
    )
    respondent = forms.ModelChoiceField(
        queryset=Respondent.objects.none(),
        required=False,
        empty_label="Match each file by its name",
    )
    conducted_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Interview date"
    )

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].queryset = study.respondents.all()


class InterviewForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    respondent = forms.ModelChoiceField(queryset=Respondent.objects.none(), empty_label=None)
    conducted_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Interview date"
    )

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].queryset = study.respondents.all()

from __future__ import annotations

from django import forms
from django.utils.http import url_has_allowed_host_and_scheme

from core.bidi import isolated
from core.dates import PlausibleDateField
from core.naming import name_key, tidy
from core.sanitise import SanitisedCharField
from core.stale import seen_field
from core.upload_limits import limit_attrs

from . import consent, searchquery, staging
from .models import PageSize, Respondent, Role


class StudyForm(forms.Form):
    title = SanitisedCharField(max_length=200)
    research_question = SanitisedCharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    description = SanitisedCharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    page_size = forms.ChoiceField(
        choices=PageSize.choices,
        initial=PageSize.LETTER,
        required=False,  # not sent: the study keeps its paper (US Letter for a new one)
        label="Paper size of the findings",
        help_text="The findings document and the codebook are laid out on this paper.",
    )
    withdrawal_days = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=3650,
        label="Withdrawal window (days)",
        help_text="Days after their interview a respondent may still withdraw, as the consent "
        "form promised. Empty: no window was promised.",
        error_messages={
            "invalid": "Give the withdrawal window as a whole number of days.",
            "min_value": "The withdrawal window cannot be negative.",
            "max_value": "The withdrawal window can be at most 3650 days (ten years).",
        },
    )


class StudySettingsForm(StudyForm):
    # The token of the details its page showed (Study.seen, core.stale).
    seen = seen_field()


class QuestionForm(forms.Form):
    text = SanitisedCharField(widget=forms.Textarea(attrs={"rows": 2}))
    topic = SanitisedCharField(max_length=120, required=False)


class QuestionEditForm(QuestionForm):
    # The token of the question its page showed (ProtocolQuestion.seen, core.stale).
    seen = seen_field()


class MoveForm(forms.Form):
    """Move an item of an ordered list (questions, themes, quotes) one place: `to` is "up"
    or "down"."""

    to = forms.ChoiceField(
        choices=[("up", "Up"), ("down", "Down")],
        error_messages={
            "required": "Say which way to move it: up or down.",
            "invalid_choice": "Say which way to move it: up or down.",
        },
    )

    @property
    def delta(self) -> int:
        """-1 for up, +1 for down (valid forms only)."""
        return -1 if self.cleaned_data["to"] == "up" else 1


class PageForm(forms.Form):
    """The page of a list a form was sent from (`page`), to come back to it; a number that
    is not one is no page (the list's first)."""

    page = forms.IntegerField(min_value=1, required=False)

    @classmethod
    def number(cls, data) -> int | None:
        form = cls(data)
        return form.cleaned_data["page"] if form.is_valid() else None


class NextForm(forms.Form):
    """The page a plain (not htmx) form post goes back to (`next`): a path on this site."""

    next = forms.CharField(required=False)

    @classmethod
    def url(cls, request, fallback: str) -> str:
        """`next` if it is a path of this site (not a view name for redirect() to reverse,
        nor another site), else `fallback`."""
        form = cls(request.POST)
        url = form.cleaned_data["next"] if form.is_valid() else ""
        here = {request.get_host()}
        if url.startswith("/") and url_has_allowed_host_and_scheme(url, here, request.is_secure()):
            return url
        return fallback


class RespondentForm(forms.Form):
    """One row of the respondent table: the pseudonym and a value for each attribute the
    study records, posted as attr-0, attr-1… in the study's column order. The services check
    what only they can (a pseudonym in use, a number that is not one)."""

    pseudonym = forms.CharField(required=False, max_length=200)
    interviewed_on = PlausibleDateField(
        required=False,
        label="Interviewed on",
        error_messages={"invalid": "Give the interview date as a date, e.g. 2025-03-03."},
    )

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.names = list(study.attribute_names)
        for index, name in enumerate(self.names):
            self.fields[f"attr-{index}"] = forms.CharField(
                required=False, max_length=2000, label=name
            )

    def attributes(self) -> dict[str, str]:
        """Attribute name to the value typed (valid forms only)."""
        return {name: self.cleaned_data[f"attr-{i}"] for i, name in enumerate(self.names)}

    def typed(self) -> dict[str, str]:
        """What was typed, by attribute name (and "pseudonym"), to show it again."""
        values = {name: self[f"attr-{i}"].value() or "" for i, name in enumerate(self.names)}
        return {
            "pseudonym": self["pseudonym"].value() or "",
            "interviewed_on": self["interviewed_on"].value() or "",
            **values,
        }

    def error_list(self) -> list[str]:
        return [error for errors in self.errors.values() for error in errors]


class RespondentEditForm(RespondentForm):
    # The token of the row its page showed (Respondent.seen, core.stale).
    seen = seen_field()


class WithdrawForm(forms.Form):
    """Withdraw a respondent, or (`reinstate` set) bring one back."""

    reinstate = forms.BooleanField(required=False)


class AttributeRemoveForm(forms.Form):
    name = forms.ChoiceField(
        error_messages={
            "required": "Choose the column to remove.",
            "invalid_choice": "That column is no longer recorded. Reload the page.",
        }
    )

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].choices = [(name, name) for name in study.attribute_names]


class InterviewDeleteForm(forms.Form):
    """Deleting an interview is confirmed by typing its respondent's pseudonym."""

    confirm = forms.CharField(required=False)

    def __init__(self, *args, pseudonym: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.pseudonym = pseudonym

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"] != self.pseudonym:
            raise forms.ValidationError(
                f"Type the respondent's pseudonym, {isolated(self.pseudonym)}, to confirm."
            )
        return self.cleaned_data["confirm"]


class MarkersDetectForm(forms.Form):
    """The question-markers page's other button: find the questions again (`detect`)."""

    detect = forms.BooleanField(required=False)


class AttributeForm(forms.Form):
    name = SanitisedCharField(max_length=60)
    type = forms.ChoiceField(choices=[("text", "Text"), ("number", "Number")])


class MemberForm(forms.Form):
    username = forms.CharField(max_length=150)
    # The least power by default: making someone an owner must be a choice.
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REVIEWER)


# A browser's date input reads and writes ISO dates only, whatever the locale.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


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
        # An empty file is refused on its own in the preview, not by failing the whole form.
        allow_empty_file=True,
        help_text="Plain text (.txt) or Word (.docx). Next you will see each file with the "
        "respondent it goes to, before anything is imported.",
        error_messages={"required": "Choose at least one file to import."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read on every form, not once at import: the limits are settings.
        self.fields["files"].widget.attrs.update(limit_attrs())


NEW, SKIP = "new", "skip"
# What to do about a file the import would refuse for its respondent's withdrawal.
CHOOSE_ANOTHER = "Choose another respondent, or leave this file out."


class StagedFileForm(forms.Form):
    """The researcher's choices for one staged file in the import preview.

    `respondent` is an existing respondent's id, NEW (with `pseudonym`) or SKIP. The prefix is
    the file's place in its batch, so that one page posts a form per file.
    """

    respondent = forms.ChoiceField(
        label="Respondent", error_messages={"required": "Choose who this file belongs to."}
    )
    pseudonym = forms.CharField(label="New respondent's pseudonym", max_length=40, required=False)
    encoding = forms.ChoiceField(
        label="Encoding",
        required=False,
        error_messages={"required": "Choose the encoding in which the first lines read right."},
    )
    conducted_on = PlausibleDateField(required=False, widget=DATE_INPUT, label="Interview date")
    import_duplicate = forms.BooleanField(
        required=False, label="Import it again although the same text is already there"
    )

    def __init__(self, *args, staged, respondents, candidates=(), **kwargs):
        kwargs.setdefault("prefix", f"f{staged.position}")
        super().__init__(*args, **kwargs)
        self.staged = staged
        self.respondents = {str(r.pk): r for r in respondents}
        # Why the import would refuse the file in the encoding posted (set by clean).
        self.unreadable = ""
        self._keys = None
        self.fields["respondent"].choices = [
            ("", "Choose…"),
            *(
                [("Respondents", [(pk, _option(r)) for pk, r in self.respondents.items()])]
                if self.respondents
                else []
            ),
            (NEW, "A new respondent…"),
            (SKIP, "Leave this file out"),
        ]
        if candidates:
            self.fields["encoding"].choices = [
                *([] if staged.encoding_sure else [("", "Choose the encoding…")]),
                *((codec, label) for codec, label in candidates),
            ]
            # A proposal the ladder is sure of stands unless changed; a guess must be chosen.
            self.fields["encoding"].required = not staged.encoding_sure
        else:
            del self.fields["encoding"]

    def clean(self):
        data = super().clean()
        choice = data.get("respondent")
        if choice == NEW:
            # As the import will keep it (services._pseudonym_shape): characters that show
            # nothing (a zero-width space, a direction mark, pasted) are no pseudonym.
            data["pseudonym"] = tidy(data.get("pseudonym", ""))
            if not data["pseudonym"]:
                self.add_error("pseudonym", "Give the new respondent's pseudonym.")
        elif choice not in (SKIP, None) and choice not in self.respondents:
            self.add_error("respondent", "Choose who this file belongs to.")
        # What the import would refuse is refused here, before anything is imported.
        field = "pseudonym" if choice == NEW else "respondent"
        if choice != SKIP and field not in self.errors and self.withdrawn():
            self.add_error(field, self.withdrawn_note())
        if choice != SKIP and "encoding" in data:
            self.unreadable = staging.unreadable_in(self.staged, data["encoding"])
            if self.unreadable:
                self.add_error("encoding", f"{self.unreadable}. Choose another encoding.")
        if self.errors and choice == SKIP:
            # A file left out needs nothing else.
            self._errors.clear()
        return data

    def chosen(self) -> Respondent | None:
        """The existing respondent this file goes to as chosen (posted, else proposed): her
        row, or the one a new pseudonym typed already names, however typed ("r3" for R3:
        the import sends it to her, services.ImportContext.by_pseudonym); else None."""
        choice = self["respondent"].value()
        if choice != NEW:
            return self.respondents.get(str(choice))
        if self._keys is None:
            # Once a form: the preview asks for every file, its summary and its template.
            self._keys = {name_key(r.pseudonym): r for r in self.respondents.values()}
        return self._keys.get(name_key(str(self["pseudonym"].value() or "")))

    def new_pseudonym(self) -> str:
        """The pseudonym of the new respondent this file would make as chosen (posted, else
        proposed), tidied as the import keeps it; "" when it goes to an existing one, is
        left out, or has none yet."""
        if self["respondent"].value() != NEW or self.chosen() is not None:
            return ""
        return tidy(str(self["pseudonym"].value() or ""))

    def withdrawn(self) -> str:
        """Why the import would refuse this file as chosen for a respondent who withdrew, in
        its words (consent.withdrawn_refusal, services._interview_planned); "" otherwise,
        and for a file left out. No query: the respondents as the preview read them."""
        respondent = self.chosen() if self["respondent"].value() != SKIP else None
        if respondent is None or respondent.withdrawn_at is None:
            return ""
        return consent.withdrawn_refusal(respondent)

    def withdrawn_note(self) -> str:
        """What the preview says of this file as chosen for a respondent who withdrew: the
        import's refusal (withdrawn()) and what to do instead, as the note on the file and,
        posted, as the error of the respondent chosen; "" otherwise."""
        withdrawn = self.withdrawn()
        return f"{withdrawn}. {CHOOSE_ANOTHER}" if withdrawn else ""

    def needs(self) -> list[str]:
        """What the researcher must still give for this file, as the preview's summary
        words it: "a respondent" (none chosen, or a new one without its pseudonym), "an
        encoding" (a guessed one not yet chosen), "a correction" (another field refused,
        a date, say); [] for a file ready or left out. Reads the posted choices when
        bound, else the proposals."""
        choice = self["respondent"].value()
        if choice == SKIP:
            return []
        needs = []
        if choice == NEW:
            if not tidy(str(self["pseudonym"].value() or "")):
                needs.append("a respondent")
        elif choice not in self.respondents:
            needs.append("a respondent")
        if self.withdrawn():
            needs.append("another respondent")
        encoding = self.fields.get("encoding")
        if encoding is not None and encoding.required:
            offered = {value for value, _ in encoding.choices if value}
            if self["encoding"].value() not in offered:
                needs.append("an encoding")
        if self.unreadable:
            needs.append("another encoding")
        others = (
            set(self.errors) - {"respondent", "pseudonym", "encoding"} if self.is_bound else ()
        )
        if others and not needs:
            needs.append("a correction")
        return needs


def _option(respondent: Respondent) -> str:
    # Said where she is chosen: a file sent to her is refused (StagedFileForm.withdrawn).
    pseudonym = respondent.pseudonym
    return f"{pseudonym} (withdrew)" if respondent.withdrawn_at else pseudonym


class InterviewForm(forms.Form):
    title = SanitisedCharField(max_length=200, required=False)
    respondent = forms.ModelChoiceField(queryset=Respondent.objects.none(), empty_label=None)
    conducted_on = PlausibleDateField(required=False, widget=DATE_INPUT, label="Interview date")

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["respondent"].queryset = study.respondents.all()


class InterviewEditForm(InterviewForm):
    # The token of the details its page showed (Interview.seen, core.stale).
    seen = seen_field()


class QuestionMarkerForm(forms.Form):
    """One turn of the question-markers page: the question that starts there, if any."""

    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # Django's own message repeats the value posted, unmarked in the sentence; a question
    # deleted in another tab posts its id, which says nothing to the researcher.
    question = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "invalid_choice": "That question is no longer in this study's protocol; reload "
            "the page."
        },
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = choices


QuestionMarkerFormSet = forms.formset_factory(QuestionMarkerForm, extra=0)


class SearchForm(forms.Form):
    """The search box of a study: `cleaned_data["query"]` is the parsed searchquery.Query."""

    q = forms.CharField(
        label="Search the transcripts",
        max_length=searchquery.MAX_LENGTH,
        help_text='Words, "a phrase", OR between two of them, a prefix* (stigma* finds '
        "stigmatised).",
    )

    def clean(self):
        cleaned = super().clean()
        if "q" in cleaned:
            try:
                cleaned["query"] = searchquery.parse(cleaned["q"])
            except searchquery.QueryError as error:
                self.add_error("q", str(error))
        return cleaned


class EraseForm(forms.Form):
    """The confirmation of an erasure: the pseudonym typed again, and an optional note."""

    typed = forms.CharField(label="Type the pseudonym to confirm", max_length=40, strip=False)
    note = SanitisedCharField(
        label="Note to keep (optional)",
        max_length=200,
        required=False,
        help_text="Kept with the date of the erasure. Leave it empty to keep nothing about "
        "who it was.",
    )


class IdentifierForm(forms.Form):
    """One identifying string of the de-identification list, its variants, its replacement."""

    text = SanitisedCharField(
        label="Identifying words",
        max_length=200,
        help_text="A person's name, an agency, a street: found as whole words, whatever the case.",
    )
    variants = SanitisedCharField(
        label="Variants (one a line)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Other ways the transcripts write it: a first name alone, a nickname.",
    )
    replacement = SanitisedCharField(
        label="Replace with", max_length=200, help_text="For example “[co-worker]” or “Agency C”."
    )


class IdentifierEditForm(IdentifierForm):
    # The token of the values its page showed (Identifier.seen, core.stale).
    seen = seen_field()


REPLACE, KEEP = "replace", "keep"


class DecisionsForm(forms.Form):
    """The researcher's choice for each occurrence shown in the preview: a field
    "o-<occurrence key>" set to "replace" or "keep". Occurrences left out are asked again
    next time. `decisions()` is {key: True to replace, False to keep} for the service,
    which refuses keys that are no longer waiting (the text changed since)."""

    def __init__(self, data, *, keys):
        super().__init__(data)
        self.posted_keys = [name[2:] for name in (data or {}) if name.startswith("o-")]
        for key in dict.fromkeys([*keys, *self.posted_keys]):
            self.fields[f"o-{key}"] = forms.ChoiceField(
                choices=[(REPLACE, "Replace"), (KEEP, "Keep")], required=False
            )

    def clean(self):
        cleaned = super().clean()
        # "nowhere": the preview listed strings in no transcript, which an apply replaces
        # wherever else they are with no occurrence chosen (deidentify.held_nowhere).
        nowhere = bool((self.data or {}).get("nowhere"))
        if not nowhere and not any(cleaned.get(f"o-{key}") for key in self.posted_keys):
            raise forms.ValidationError(
                "Choose, for at least one occurrence, to replace it or keep it."
            )
        return cleaned

    def decisions(self) -> dict[str, bool]:
        return {
            key: self.cleaned_data[f"o-{key}"] == REPLACE
            for key in self.posted_keys
            if self.cleaned_data.get(f"o-{key}")
        }

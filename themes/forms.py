from __future__ import annotations

from django import forms
from django.conf import settings

from coding.models import Code
from core.bidi import isolated
from core.dates import FROM_AFTER_TO, check_order
from core.limits import LimitedTextField
from core.naming import find_by_name, tidy
from core.sanitise import SanitisedCharField
from core.stale import seen_field
from core.upload_limits import limit_attrs, over_limit
from core.widgets import QuickSelect

from .history import KINDS as HISTORY_KINDS
from .history import HistoryFilter
from .memos import KINDS, MemoFilter
from .models import ReviewStatus, Theme


class ThemeForm(forms.Form):
    name = SanitisedCharField(max_length=160)
    description = LimitedTextField(noun="description", required=False)
    # Rendered in Python (core.widgets): one <option> a theme through Django's template
    # took most of the themes page's time once the themes' sections came from the cache.
    parent = forms.ModelChoiceField(
        queryset=Theme.objects.none(),
        required=False,
        empty_label="(a main theme)",
        label="Under",
        widget=QuickSelect,
    )
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, study, theme: Theme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = study.themes.all()
        if theme is not None:
            parents = parents.exclude(pk=theme.pk)
        self.fields["parent"].queryset = parents


class CommentForm(forms.Form):
    body = LimitedTextField(
        noun="comment",
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
    seen = seen_field()


class ChartsForm(forms.Form):
    """Which respondent attribute the prevalence chart groups by (in the URL: shareable)."""

    attribute = forms.ChoiceField(required=False, label="Group respondents by")

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        names = study.attribute_names
        self.fields["attribute"].choices = [("", "(no grouping)")] + [(n, n) for n in names]


class MemoForm(forms.Form):
    body = LimitedTextField(
        noun="memo",
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Memo",
        error_messages={"required": "A memo needs some words; nothing was saved."},
    )
    # The edit form's token of the text it showed (core.stale); the form that adds one has none.
    seen = seen_field()


def date_bound(label: str) -> forms.DateField:
    """An optional date field of a dated filter, named `label`: each list says what its
    dates are (when a change was made, when a memo was written), where a bare "From" and
    "To" left the reader to guess."""
    return forms.DateField(
        required=False, label=label, widget=forms.DateInput(attrs={"type": "date"})
    )


class DatedFilterForm(forms.Form):
    """A list's filter read from the URL (a filtered list can be shared), with a first
    (`since`) and a last (`until`) day, both included, that must be in order. The memos and
    history pages refuse a filter to correct alike through it; each names its dates."""

    since = date_bound("From")
    until = date_bound("To")

    def clean(self):
        data = super().clean()
        message = FROM_AFTER_TO.format(
            since=self.fields["since"].label, until=self.fields["until"].label
        )
        check_order(data.get("since"), data.get("until"), message=message)
        return data

    def asked(self, build, unfiltered):
        """`unfiltered` when the URL gives no filter, None when any part of it is wrong
        (the form says why: listing every row under an error would read as the filter's
        answer), else build(cleaned_data), the filter it asks for."""
        if not self.is_bound:
            return unfiltered
        if not self.is_valid():
            return None
        return build(self.cleaned_data)


class MemoFilterForm(DatedFilterForm):
    """The memos page's filters."""

    field_order = ["kind", "author", "since", "until", "q"]

    kind = forms.MultipleChoiceField(
        choices=[(name, kind.plural) for name, kind in KINDS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Kind",
    )
    author = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Author")
    since = date_bound("Written since")
    until = date_bound("Written until")
    q = SanitisedCharField(required=False, max_length=200, label="Words")

    def __init__(self, *args, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["author"].choices = [("", "Anyone"), *authors]

    def memo_filter(self) -> MemoFilter | None:
        """The filter the form asks for; None when any part of it is wrong (see asked).
        Never a withdrawn respondent's memos: they count nowhere (DESIGN), as on the
        Excerpts page and in the exports."""
        return self.asked(
            lambda data: MemoFilter(
                kinds=tuple(data.get("kind") or ()),
                author=data.get("author"),
                since=data.get("since"),
                until=data.get("until"),
                words=tuple((data.get("q") or "").split()),
                counted_only=True,
            ),
            MemoFilter(counted_only=True),
        )


class QuoteChoiceForm(forms.Form):
    """Choose an excerpt as a quote (`choose` 1) or un-choose it (0); without `choose`,
    the view flips the choice."""

    choose = forms.TypedChoiceField(
        choices=[("1", "Choose"), ("0", "Un-choose")],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": "Say whether to choose the quote: 1 or 0."},
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=ReviewStatus.choices,
        error_messages={
            "required": "Choose a review status.",
            "invalid_choice": "Choose one of the review statuses.",
        },
    )
    # Sent by "Start the review afresh" only: Set with the status the theme has changes nothing.
    afresh = forms.BooleanField(required=False)


class ResolveForm(forms.Form):
    """Resolve a comment, or (`reopen` set) open it again."""

    reopen = forms.BooleanField(required=False)


class ThemeCodeForm(forms.Form):
    """Attach a code to a theme, named (`code_name`, as typed) or by id (`code`); or
    detach it (`detach` set)."""

    code_name = forms.CharField(required=False, max_length=200)
    code = forms.ModelChoiceField(queryset=Code.objects.none(), required=False)
    detach = forms.BooleanField(required=False)

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study
        self.fields["code"].queryset = study.codes.all()

    def clean(self):
        data = super().clean()
        name = tidy(data.get("code_name") or "")
        if name:
            data["code"] = self.study.codes.filter(pk=find_by_name(self.study.codes, name)).first()
            if data["code"] is None:
                raise forms.ValidationError(f"There is no code called “{name}”.")
        elif data.get("code") is None and not self.has_error("code"):
            raise forms.ValidationError("Choose a code.")
        return data


class ExchangeExportForm(forms.Form):
    """The REFI-QDA download's one choice, an owner's: export the transcripts even while
    identifying strings of the de-identification list are unreviewed in them."""

    identifying = forms.BooleanField(
        required=False, label="include text that is not de-identified"
    )


class ExchangeImportForm(forms.Form):
    """One REFI-QDA file to import (a project as a new study, or a codebook into one)."""

    file = forms.FileField(
        label="REFI-QDA file",
        help_text="A project (.qdpx, .qde) or a codebook (.qdc) exported by NVivo, ATLAS.ti, "
        "MAXQDA, QualCoder, Taguette or Excerpta.",
        error_messages={"required": "Choose the file to import."},
        # An empty file is refused in clean_file, by its name as every other refusal is.
        allow_empty_file=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(limit_attrs())

    def clean_file(self):
        # Refused by its size before it is read into memory (the reader checks again).
        upload = self.cleaned_data["file"]
        limit = settings.EXCERPTA_MAX_UPLOAD_BYTES
        if not upload.size:
            raise forms.ValidationError(
                f"{isolated(upload.name)}: it is empty. Nothing was imported."
            )
        if upload.size > limit:
            raise forms.ValidationError(
                "{}: it is {}, over the {} limit. Nothing was imported.".format(
                    isolated(upload.name), *over_limit(upload.size, limit)
                )
            )
        return upload


class HistoryFilterForm(DatedFilterForm):
    """The history page's filters."""

    field_order = ["user", "kind", "since", "until"]

    user = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Who")
    since = date_bound("Changed since")
    until = date_bound("Changed until")
    kind = forms.ChoiceField(
        choices=[
            ("", "Everything"),
            *((name, label) for name, (label, _) in HISTORY_KINDS.items()),
        ],
        required=False,
        label="What",
    )

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Anyone"), *users]

    def history_filter(self) -> HistoryFilter | None:
        """The filter the form asks for; None when any part of it is wrong (see asked).
        Never a withdrawn respondent's memos: they count nowhere (DESIGN), as on the
        Excerpts page and in the exports."""
        return self.asked(
            lambda data: HistoryFilter(
                user=data.get("user"),
                kind=data.get("kind") or None,
                since=data.get("since"),
                until=data.get("until"),
            ),
            HistoryFilter(),
        )


class TypedKeepForm(forms.Form):
    """A Keep of a typed field on the de-identification page: the field as
    themes.identifying.TypedPlace.field names it, and the digest of the text the page
    showed (hidden inputs, never typed)."""

    kind = forms.CharField(max_length=20)
    row = forms.IntegerField(min_value=0)
    # An attribute's name as stored, spaces included; "" where the kind has one field.
    field = forms.CharField(max_length=200, required=False, strip=False)
    digest = forms.RegexField(regex=r"\A[0-9a-f]{64}\Z")

    def typed_field(self) -> tuple[str, int, str]:
        data = self.cleaned_data
        return (data["kind"], data["row"], data["field"])

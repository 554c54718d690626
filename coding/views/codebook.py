"""The codebook page: the code tree with its counts, and the editing of codes."""

from __future__ import annotations

from hashlib import sha256

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.bidi import isolated
from core.errors import Conflict
from core.http import refusal, render_page_or_fragment, wants_fragment
from core.stale import revision_again, saved_fields
from interviews.access import READ, WRITE, study_access

from .. import selectors, services
from ..access import code_access
from ..codebook_rows import render_rows
from ..forms import CodeDeleteForm, CodeForm, MergeForm
from ..sidelist import url_prefix
from .undo import undo_url, undoable


def _page(
    request,
    access,
    *,
    form=None,
    code=None,
    message="",
    undo_url="",
    merge=None,
    editor_only=False,
    done="",
    meanwhile=(),
):
    """The codebook body, or only its editor panel (opening a form needs no counting).

    `merge` asks to confirm a merge of `code`: {"target": Code, "text": what moves}. `done`
    (after a write) sends a plain POST back to the codebook, `message` in its flash
    (core.http.render_page_or_fragment). `meanwhile`: (label, value) of what another tab
    saved, when the code's save was refused for it (templates/_saved_meanwhile.html).
    """
    context = {
        "access": access,
        "form": form,
        "code": code,
        "message": message,
        "undo_url": undo_url,
        "merge": merge,
        "meanwhile": meanwhile,
        "edit_prefix": url_prefix("code_edit", access.study.slug),
        "merge_choices": (
            access.study.codes.exclude(pk=code.pk).order_by("name").values_list("id", "name")
            if code is not None
            else ()
        ),
    }
    if editor_only and wants_fragment(request):
        return render_page_or_fragment(request, "coding/codebook.html", "code-editor", context)

    def page() -> dict:
        # Read only when drawn: a plain POST that is done is redirected.
        context["nodes"] = selectors.codebook(access.study)
        if request.htmx:
            # The page's colours.css predates this answer; a code may have a new colour.
            colours = sorted({node.code.colour for node in context["nodes"]})
            context["colours_version"] = sha256(" ".join(colours).encode()).hexdigest()[:12]
        context["rows"] = render_rows(
            context["nodes"],
            edit_prefix=context["edit_prefix"],
            can_write=access.can_write,
            retrieve_url=reverse("retrieve", args=[access.study.slug]),
        )
        return context

    return render_page_or_fragment(
        request,
        "coding/codebook.html",
        "codebook-body",
        page,
        done=done,
        message=message,
        undo_url=undo_url,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def codebook(request, slug):
    """The codebook; POST creates a code."""
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    if request.method in ("GET", "HEAD"):
        opening = access.can_write and "new" in request.GET
        blank = CodeForm(study=access.study) if opening else None
        return _page(
            request,
            access,
            form=blank,
            editor_only="new" in request.GET or "closed" in request.GET,
        )
    form = CodeForm(request.POST, study=access.study)
    if form.is_valid():
        try:
            with undoable(request, access) as journal:
                code = services.code_create(
                    study=access.study,
                    name=form.cleaned_data["name"],
                    parent=form.cleaned_data["parent"],
                    colour=form.cleaned_data["colour"],
                    journal=journal,
                    **form.texts(),
                )
                message = journal.label = f"Added “{isolated(code.name)}”."
        except ValidationError as error:
            form.add_error("name", error)
        else:
            done = reverse("codebook", args=[slug])
            undo_link = undo_url(access, journal.entry)
            return _page(request, access, message=message, undo_url=undo_link, done=done)
    return _page(request, access, form=form)


@require_http_methods(["GET", "HEAD", "POST"])
def code_edit(request, slug, pk):
    access, code = code_access(request, slug, pk, WRITE)
    if request.method in ("GET", "HEAD"):
        form = CodeForm(
            study=access.study,
            code=code,
            initial={
                "name": code.name,
                "colour": code.colour,
                "parent": code.parent_id,
                "definition": code.definition,
                "inclusion": code.inclusion,
                "exclusion": code.exclusion,
                "example": code.example,
                "revision": code.revision,
            },
        )
        return _page(request, access, form=form, code=code, editor_only=True)
    form = CodeForm(request.POST, study=access.study, code=code)
    if form.is_valid():
        try:
            with undoable(request, access) as journal:
                services.code_update(
                    journal=journal,
                    code=code,
                    revision=form.cleaned_data["revision"] or 0,
                    name=form.cleaned_data["name"],
                    colour=form.cleaned_data["colour"] or code.colour,
                    parent=form.cleaned_data["parent"],
                    **form.texts(),
                )
                message = journal.label = f"Saved “{isolated(code.name)}”."
        except Conflict:
            # Saved in another tab: what it saved is shown over the typed values kept in
            # the boxes, the form's revision now the code's: saving again replaces it.
            code.refresh_from_db()
            meanwhile = _saved_meanwhile(form, code)
            revision_again(form, code.revision)
            return _page(request, access, form=form, code=code, meanwhile=meanwhile)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = reverse("codebook", args=[slug])
            undo_link = undo_url(access, journal.entry)
            return _page(request, access, message=message, undo_url=undo_link, done=done)
    return _page(request, access, form=form, code=code)


def _saved_meanwhile(form, code) -> list[tuple[str, str]]:
    """(label, value as saved) of each of the code's values that another tab saved
    otherwise than typed in `form`, for the refusal of a stale save to show."""
    fields = ("name", "colour", "parent", *services.CODE_TEXT_FIELDS)
    saved = {name: getattr(code, name) for name in fields}
    # No colour sent keeps the code's (code_edit).
    return saved_fields(form, saved, {"colour": form.cleaned_data["colour"] or code.colour})


@require_POST
def code_merge(request, slug, pk):
    """Merge a code into another: first asks to confirm, saying how many excerpts move."""
    access, source = code_access(request, slug, pk, WRITE)
    form = MergeForm(request.POST, study=access.study)
    if not form.is_valid():
        return refusal(request, " ".join(form.errors["into"]), status=400)
    target = form.cleaned_data["into"]
    if not form.cleaned_data["confirm"]:
        if source.pk == target.pk:
            return refusal(request, "Choose a different code to merge into.", status=400)
        merge = {"target": target, "text": _merge_text(source, target)}
        return _page(request, access, code=source, merge=merge)
    name = source.name
    try:
        with undoable(request, access) as journal:
            # The excerpts that moved and count as the confirmation counted them
            # (selectors.merge_counts), read by the merge from the codings it moved: not
            # the codings (those of excerpts that count nowhere too), nor a count read
            # before the merge took its lock, which a coder could change meanwhile.
            merged = services.code_merge(source=source, target=target, journal=journal)
            moved = merged.excerpts
            message = journal.label = ngettext(
                "Merged “%(name)s” into “%(target)s”: %(n)d excerpt moved.",
                "Merged “%(name)s” into “%(target)s”: %(n)d excerpts moved.",
                moved,
            ) % {"name": name, "target": target.name, "n": moved}
    except Conflict as error:
        return refusal(request, str(error), status=409)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=400)
    done = reverse("codebook", args=[slug])
    undo_link = undo_url(access, journal.entry)
    return _page(request, access, message=message, undo_url=undo_link, done=done)


def _merge_text(source, target) -> str:
    """What a merge will do, for its confirmation."""
    moving, both, uncounted = selectors.merge_counts(source=source, target=target)
    text = ngettext(
        "%(n)d excerpt carries “%(source)s” and moves to “%(target)s”",
        "%(n)d excerpts carry “%(source)s” and move to “%(target)s”",
        moving,
    ) % {"n": moving, "source": source.name, "target": target.name}
    if both:
        text += ngettext(
            "; %(n)d of them already carries “%(target)s” and keeps one coding",
            "; %(n)d of them already carry “%(target)s” and keep one coding",
            both,
        ) % {"n": both, "target": target.name}
    text += "."
    if uncounted:
        # The codebook leaves them out: said, so that its number and this one agree.
        text += ngettext(
            " %(n)d more excerpt carrying “%(source)s” moves too, which the codebook does "
            "not count: it is from a respondent who withdrew, or its words were removed from "
            "the transcript.",
            " %(n)d more excerpts carrying “%(source)s” move too, which the codebook does "
            "not count: they are from respondents who withdrew, or their words were removed "
            "from the transcript.",
            uncounted,
        ) % {"n": uncounted, "source": source.name}
    return " ".join(
        [text, *_merge_tree_text(source, target), "You can undo the merge afterwards."]
    )


def _names(names: list[str]) -> str:
    """“A”, “A” and “B”, “A”, “B” and “C”: names in a sentence."""
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _merge_tree_text(source, target) -> list[str]:
    """The sentences of a merge's confirmation on the code tree and the themes: what moves
    where, and which themes then count more (selectors.merge_tree)."""
    tree = selectors.merge_tree(source=source, target=target)
    said = []
    if tree.lifted:
        said.append(f"“{target.name}” takes the place of “{source.name}” in the code tree.")
    if tree.sub_codes:
        said.append(
            ngettext(
                "Its sub-code %(names)s becomes a sub-code of “%(target)s”.",
                "Its sub-codes %(names)s become sub-codes of “%(target)s”.",
                len(tree.sub_codes),
            )
            % {"names": _names(tree.sub_codes), "target": target.name}
        )
        # A theme counts a code with its sub-codes: these counts change, and say so.
        if tree.target_gathered_by:
            said.append(
                ngettext(
                    "The theme %(names)s, which gathers “%(target)s”, will count their "
                    "excerpts and respondents too.",
                    "The themes %(names)s, which gather “%(target)s”, will count their "
                    "excerpts and respondents too.",
                    len(tree.target_gathered_by),
                )
                % {"names": _names(tree.target_gathered_by), "target": target.name}
            )
    # A theme that gathers both keeps one link; one that gathered only the source now
    # gathers the target, and counts the target's own excerpts unless they were already in
    # the source's branch (the target was inside the source).
    moving = [name for name in tree.source_gathered_by if name not in tree.target_gathered_by]
    if moving:
        names = {"names": _names(moving), "target": target.name, "source": source.name}
        if tree.lifted:
            said.append(
                ngettext(
                    "The theme %(names)s gathers “%(target)s” instead of “%(source)s”.",
                    "The themes %(names)s gather “%(target)s” instead of “%(source)s”.",
                    len(moving),
                )
                % names
            )
        else:
            said.append(
                ngettext(
                    "The theme %(names)s gathers “%(target)s” instead of “%(source)s”, and "
                    "counts the excerpts of “%(target)s” too.",
                    "The themes %(names)s gather “%(target)s” instead of “%(source)s”, and "
                    "count the excerpts of “%(target)s” too.",
                    len(moving),
                )
                % names
            )
    return said


@require_POST
def code_delete(request, slug, pk):
    access, code = code_access(request, slug, pk, WRITE)
    form = CodeDeleteForm(request.POST)
    form.is_valid()  # A checkbox: any answer is valid, ticked or not.
    message = f"Deleted “{isolated(code.name)}” (it waits in the bin on the History page)."
    try:
        with undoable(request, access, message) as journal:
            services.code_delete(
                code=code,
                force=form.cleaned_data["confirm"],
                actor=request.user,
                journal=journal,
            )
    except Conflict as error:
        return refusal(request, str(error), status=409)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=409)
    done = reverse("codebook", args=[slug])
    undo_link = undo_url(access, journal.entry)
    return _page(request, access, message=message, undo_url=undo_link, done=done)


@require_safe
def study_overview(request, slug):
    access = study_access(request, slug, READ)
    context = {"access": access, **selectors.study_overview(access.study)}
    return render(request, "coding/study_overview.html", context)

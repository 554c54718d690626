"""The codebook page: the code tree with its counts, and the editing of codes."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from interviews.access import READ, WRITE, study_access
from interviews.errors import Conflict
from interviews.http import posted_id, refusal

from .. import selectors, services
from ..access import code_access
from ..codebook_rows import render_rows
from ..forms import CodeForm
from ..sidelist import url_prefix


def _page(request, access, *, form=None, code=None, message="", editor_only=False):
    """The codebook body, or only its editor panel (opening a form needs no counting)."""
    context = {
        "access": access,
        "form": form,
        "code": code,
        "message": message,
        "edit_prefix": url_prefix("code_edit", access.study.slug),
        "merge_choices": (
            access.study.codes.exclude(pk=code.pk).order_by("name").values_list("id", "name")
            if code is not None
            else ()
        ),
    }
    if editor_only and request.htmx:
        return render(request, "coding/codebook.html#code-editor", context)
    context["nodes"] = selectors.codebook(access.study)
    context["rows"] = render_rows(
        context["nodes"], edit_prefix=context["edit_prefix"], can_write=access.can_write
    )
    template = "coding/codebook.html"
    if request.htmx:
        template += "#codebook-body"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
def codebook(request, slug):
    """The codebook; POST creates a code."""
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    if request.method == "GET":
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
            code = services.code_create(
                study=access.study,
                name=form.cleaned_data["name"],
                parent=form.cleaned_data["parent"],
                colour=form.cleaned_data["colour"],
                **form.texts(),
            )
        except ValidationError as error:
            form.add_error("name", error)
        else:
            if not request.htmx:
                return redirect("codebook", slug)
            return _page(request, access, message=f"Added “{code.name}”.")
    return _page(request, access, form=form)


@require_http_methods(["GET", "POST"])
def code_edit(request, slug, pk):
    access, code = code_access(request, slug, pk, WRITE)
    if request.method == "GET":
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
            services.code_update(
                code=code,
                revision=form.cleaned_data["revision"] or 0,
                name=form.cleaned_data["name"],
                colour=form.cleaned_data["colour"] or code.colour,
                parent=form.cleaned_data["parent"],
                **form.texts(),
            )
        except Conflict as error:
            # The form keeps the user's values and the revision they edited: saving again
            # is refused again rather than replacing the other person's edit unseen.
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                return redirect("codebook", slug)
            return _page(request, access, message=f"Saved “{code.name}”.")
    return _page(request, access, form=form, code=code)


@require_POST
def code_merge(request, slug, pk):
    access, source = code_access(request, slug, pk, WRITE)
    target = access.study.codes.filter(pk=posted_id(request, "into")).first()
    if target is None:
        return refusal(request, "Choose the code to merge into.", status=400)
    name = source.name
    try:
        moved = services.code_merge(source=source, target=target)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=400)
    message = ngettext(
        "Merged “%(name)s” into “%(target)s”: %(n)d excerpt moved.",
        "Merged “%(name)s” into “%(target)s”: %(n)d excerpts moved.",
        moved,
    ) % {"name": name, "target": target.name, "n": moved}
    if not request.htmx:
        return redirect("codebook", slug)
    return _page(request, access, message=message)


@require_POST
def code_delete(request, slug, pk):
    access, code = code_access(request, slug, pk, WRITE)
    try:
        services.code_delete(code=code, force=request.POST.get("confirm") == "yes")
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=409)
    if not request.htmx:
        return redirect("codebook", slug)
    return _page(request, access, message=f"Deleted “{code.name}”.")


@require_GET
def study_overview(request, slug):
    access = study_access(request, slug, READ)
    context = {"access": access, **selectors.study_overview(access.study)}
    return render(request, "coding/study_overview.html", context)

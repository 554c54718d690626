"""The themes page: every theme with its codes, live counts and the respondent matrix."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from coding.views.undo import undo_url, undoable
from core.bidi import isolated
from core.errors import Conflict
from core.fragments import cached_fragment, fragment_key
from core.http import (
    moved_text,
    posted,
    refusal,
    render_page_or_fragment,
    with_announcement,
    with_message,
)
from core.stale import revision_again, saved_fields
from interviews.access import OWN, READ, WRITE, study_access
from interviews.counts import study_counts
from interviews.forms import MoveForm
from interviews.revisions import page_revision

from .. import services
from ..access import theme_access
from ..forms import ThemeCodeForm, ThemeForm
from ..matrix import render_matrix
from ..rollup import PREVALENCE_RULES, study_rollup


def _page(
    request, access, *, form=None, editing=None, message="", status=200, done="", meanwhile=()
):
    """The themes page, or its list for htmx; `done` (after a write) sends a plain POST back
    to the page, `message` in its flash (core.http.render_page_or_fragment); `meanwhile`,
    (label, value) of what another tab saved when the theme's save was refused for it
    (templates/_saved_meanwhile.html)."""
    study = access.study

    def context() -> dict:
        # Read only when drawn: a plain POST that is done is redirected.
        return {
            "access": access,
            "sections": _sections(request, access),
            "legend": [(word, meaning) for word, meaning, _ in PREVALENCE_RULES],
            "form": form if form is not None else ThemeForm(study=study),
            "editing": editing,
            "message": message,
            "meanwhile": meanwhile,
        }

    return render_page_or_fragment(
        request,
        "themes/themes.html",
        "theme-list",
        context,
        status=status,
        done=done,
        message=message,
    )


def _sections(request, access):
    """Every theme's section, the theme-by-respondent table and the codes' names: all the
    roll-up's, so they are kept rendered per revision of the study and per role (the
    buttons differ). Nothing else of the request is in them but the CSRF token
    (core.fragments)."""
    study = access.study
    key = fragment_key("themes", study.pk, study.slug, page_revision(request, study), access.role)

    def context() -> dict:
        rollup = study_rollup(study)
        codes = rollup.codes
        return {
            "access": access,
            "rollup": rollup,
            "counts": study_counts([study.pk])[study.pk],
            "rows": [
                (
                    summary,
                    [codes[code_id] for code_id in summary.code_ids],
                    [codes[code_id] for code_id in summary.sub_code_ids],
                )
                for summary in rollup.themes
            ],
            "all_codes": sorted(codes.values(), key=lambda code: code["name"].casefold()),
            "matrix": render_matrix(rollup, reverse("retrieve", args=[study.slug])),
        }

    return cached_fragment(request, "themes/themes.html#theme-sections", key, context)


@require_http_methods(["GET", "HEAD", "POST"])
def themes(request, slug):
    """The themes page; POST creates a theme."""
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    form = ThemeForm(posted(request), study=access.study)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_create(
                study=access.study,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                parent=form.cleaned_data["parent"],
            )
        except ValidationError as error:
            form.add_error("name", error)
        else:
            message = f"Added the theme “{isolated(theme.name)}”."
            return _page(request, access, message=message, done=reverse("themes", args=[slug]))
    return _page(request, access, form=form)


@require_http_methods(["GET", "HEAD", "POST"])
def theme_edit(request, slug, pk):
    access, theme = theme_access(request, slug, pk, WRITE)
    initial = {
        "name": theme.name,
        "description": theme.description,
        "parent": theme.parent_id,
        "revision": theme.revision,
    }
    form = ThemeForm(posted(request), study=access.study, theme=theme, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_update(
                theme=theme,
                revision=form.cleaned_data["revision"] or 0,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                parent=form.cleaned_data["parent"],
            )
        except Conflict:
            # Saved in another tab: what it saved is shown over the typed values kept in
            # the boxes, the form's revision now the theme's: saving again replaces it.
            theme.refresh_from_db()
            saved = {name: getattr(theme, name) for name in ("name", "description", "parent")}
            revision_again(form, theme.revision)
            meanwhile = saved_fields(form, saved)
            return _page(request, access, form=form, editing=theme, meanwhile=meanwhile)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            message = f"Saved “{isolated(theme.name)}”."
            return _page(request, access, message=message, done=reverse("themes", args=[slug]))
    return _page(request, access, form=form, editing=theme)


@require_POST
def theme_move(request, slug, pk):
    access, theme = theme_access(request, slug, pk, WRITE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return refusal(request, " ".join(form.errors["to"]), status=400)
    moved = services.theme_move(theme=theme, delta=form.delta)
    # htmx shows the move itself, and says it to a screen reader; a plain form's page says it.
    said = moved_text(f"“{theme.name}”", form.cleaned_data["to"], moved)
    # Already first (or last), or gone meanwhile: the page says it did not move, as htmx's
    # announcement does, not that it moved.
    plain = f"Moved “{theme.name}” {form.cleaned_data['to']}." if moved else said
    message = "" if request.htmx else plain
    response = _page(request, access, message=message, done=reverse("themes", args=[slug]))
    return with_announcement(request, response, said)


@require_POST
def theme_delete(request, slug, pk):
    # Owners only: a theme's comment threads, chosen quotes and review go with it.
    access, theme = theme_access(request, slug, pk, OWN)
    with undoable(request, access, f"Removed the theme “{isolated(theme.name)}”.") as journal:
        services.theme_delete(theme=theme, journal=journal)
    message = (
        f"Removed the theme “{isolated(theme.name)}”; its codes and excerpts are untouched. "
        "It waits in the bin on the History page, with its quotes, memos and comments."
    )
    response = _page(request, access, done=reverse("themes", args=[slug]))
    return with_message(request, response, message, undo_url=undo_url(access, journal.entry))


@require_POST
def theme_codes(request, slug, pk):
    """Attach a code to a theme, or detach it (`detach` set)."""
    access, theme = theme_access(request, slug, pk, WRITE)
    form = ThemeCodeForm(request.POST, study=access.study)
    if not form.is_valid():
        errors = [error for errors in form.errors.values() for error in errors]
        return refusal(request, " ".join(errors), status=400)
    code = form.cleaned_data["code"]
    detach = form.cleaned_data["detach"]
    warning = ""
    detached = False
    # Its counts may drop to nothing: say what was done, and offer to put it back.
    taken_out = f"Took “{code.name}” out of “{theme.name}”; the code and its excerpts stay."
    added = f"Added “{isolated(code.name)}” to “{isolated(theme.name)}”."
    try:
        with undoable(request, access, taken_out if detach else added) as journal:
            if detach:
                detached = services.theme_code_detach(theme=theme, code=code, journal=journal)
            else:
                warning = services.theme_code_attach(theme=theme, code=code, journal=journal)
    except Conflict as error:
        return refusal(request, str(error), status=409)
    except ValidationError as error:
        return refusal(request, " ".join(error.messages), status=400)
    undo_link = undo_url(access, journal.entry)
    if detach:
        response = _page(request, access, done=reverse("themes", args=[slug]))
        if not detached:
            # Taken out in another tab, or a stale page: the page as it now stands, and why.
            message = (
                f"“{isolated(code.name)}” was not in “{isolated(theme.name)}”; "
                "nothing was changed."
            )
            return with_message(request, response, message, level="info")
        return with_message(request, response, taken_out, undo_url=undo_link)
    # Added, it is said with its Undo, with or without JavaScript (as taking one out is);
    # gathered already (nothing kept to undo), or adding no excerpt yet, the warning says
    # why: beside the list for htmx, in the message after a plain form.
    if not request.htmx:
        level = "success" if not warning else "warning" if undo_link else "info"
        response = redirect("themes", slug)
        return with_message(request, response, warning or added, level=level, undo_url=undo_link)
    response = _page(request, access, message=warning)
    return with_message(request, response, added, undo_url=undo_link) if undo_link else response

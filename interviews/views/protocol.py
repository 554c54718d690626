"""The interview protocol: its ordered questions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import retarget

from core.errors import Conflict
from core.http import posted, refusal, render_page_or_fragment
from core.stale import seen_again

from .. import services
from ..access import READ, WRITE, row_of, study_access
from ..forms import MoveForm, QuestionEditForm, QuestionForm

# A row deleted since the page showed it (another tab, another member).
GONE = "That question no longer exists. Reload the page."


@require_http_methods(["GET", "HEAD", "POST"])
def protocol(request, slug):
    """The protocol page; POST adds a question at the end."""
    access = study_access(request, slug, WRITE if request.method == "POST" else READ)
    form = QuestionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_add(study=access.study, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = reverse("protocol", args=[slug])
            message = f"Q{question.number} added."
            return _protocol_page(request, access, QuestionForm(), done=done, message=message)
    return _protocol_page(request, access, form)


@require_http_methods(["GET", "HEAD", "POST"])
def question_edit(request, slug, pk):
    """One question as a form in its place in the list (GET), saved (POST). htmx swaps the
    row, then the whole list once saved; a plain request gets the protocol page with the
    form in place (with its errors), or is sent back to the page once saved. A save over a
    question saved meanwhile in another tab (`seen`, core.stale) is refused, the typed
    text kept under the question as it now stands."""
    access = study_access(request, slug, WRITE)
    question = row_of(access.study.questions, pk, missing=GONE)
    initial = {"text": question.text, "topic": question.topic}
    form = QuestionEditForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(question=question, **form.cleaned_data)
        except Conflict as error:
            # Saved in another tab: the question as it now stands over the typed text kept
            # in the box (protocol.html), the form's token now theirs: saving again replaces.
            form.add_error("seen", str(error))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = reverse("protocol", args=[slug])
            message = f"Q{question.number} saved."
            page = _protocol_page(request, access, QuestionForm(), done=done, message=message)
            return retarget(page, "#question-section") if request.htmx else page
    return _protocol_page(
        request,
        access,
        QuestionForm(),
        partial="question-edit",
        editing=question,
        edit_form=form,
        seen=seen_again(form, question.typed),
    )


@require_POST
def question_move(request, slug, pk):
    access = study_access(request, slug, WRITE)
    question = row_of(access.study.questions, pk, missing=GONE)
    form = MoveForm(request.POST)
    if not form.is_valid():
        fallback = reverse("protocol", args=[slug])
        return refusal(request, " ".join(form.errors["to"]), fallback_url=fallback)
    message = f"Q{question.number} moved {form.cleaned_data['to']}."
    services.question_move(question=question, delta=form.delta)
    done = reverse("protocol", args=[slug])
    return _protocol_page(request, access, QuestionForm(), done=done, message=message)


@require_POST
def question_delete(request, slug, pk):
    access = study_access(request, slug, WRITE)
    question = row_of(access.study.questions, pk, missing=GONE)
    number = question.number
    services.question_delete(question=question)
    done = reverse("protocol", args=[slug])
    message = f"Q{number} deleted; the questions after it are renumbered."
    return _protocol_page(request, access, QuestionForm(), done=done, message=message)


def _protocol_page(
    request, access, form, *, partial="question-section", done="", message="", **extra
):
    """The protocol page, or its `partial` for htmx (core.http.render_page_or_fragment);
    `editing`, a question, is drawn as its form `edit_form` in its place in the list."""
    context = {
        "access": access,
        "form": form,
        "questions": access.study.questions.all(),
        "question": extra.get("editing"),
        **extra,
    }
    return render_page_or_fragment(
        request, "interviews/protocol.html", partial, context, done=done, message=message
    )

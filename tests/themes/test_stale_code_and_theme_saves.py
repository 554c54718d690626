"""A code or a theme edited in two tabs: the second save is refused, its text kept in the
boxes, what was saved meanwhile shown where it differs from what was typed; saving again
replaces it (core.stale, as the protocol's questions, the study's settings and the
respondent table; tests/interviews/test_stale_saves.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from coding import services as coding
from coding.models import Code
from tests.conftest import HTMX, client_for
from tests.interviews.test_stale_saves import IN_THE_BOX, MEANWHILE, hidden_value
from themes import services as themes
from themes.models import Theme

# What the other tab saves in each, the field it changes, and how the warning labels it.
NODES = {
    "code": (lambda study: coding.code_create(study=study, name="Training"), "definition"),
    "theme": (lambda study: themes.theme_create(study=study, name="Training"), "description"),
}


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
@pytest.mark.parametrize("noun", ["code", "theme"])
def test_a_stale_edit_keeps_its_text_shows_theirs_and_a_second_save_replaces(
    study, owner, noun, htmx
):
    """B saved the definition (a theme's description); A's save was refused ("changed by
    someone else ... reload ... and edit again") and stayed refused however often she
    saved, with no word of what B wrote. Now A sees B's words, keeps hers in the boxes,
    and a second Save replaces B's."""
    make, field = NODES[noun]
    node = make(study)
    edit = reverse(f"{noun}_edit", args=[study.slug, node.pk])
    client = client_for(owner)
    extra = {"headers": HTMX} if htmx else {}
    drawn = hidden_value(client.get(edit, **extra).content.decode(), "revision")
    client.post(edit, {"name": "Training", field: "B's <words>", "revision": drawn}, **extra)

    a = {"name": "Training", field: "A's <words>", "revision": drawn}
    if noun == "code":
        a["example"] = "A's"
    response = client.post(edit, a, **extra)
    assert response.status_code == 200
    html = response.content.decode()
    # Each text as it stands where it differs from A's: B left the example empty.
    theirs = f"{field.capitalize()} <q>B&#x27;s &lt;words&gt;</q>"
    if noun == "code":
        theirs += "; Example left empty"
    assert f"{MEANWHILE}{theirs}. {IN_THE_BOX}" in html
    assert f">\n{escape(a[field])}</textarea>" in html
    node.refresh_from_db()
    assert getattr(node, field) == "B's <words>"
    assert hidden_value(html, "revision") == str(node.revision)

    again = client.post(edit, {**a, "revision": hidden_value(html, "revision")}, **extra)
    assert again.status_code in (200, 302)
    node.refresh_from_db()
    assert getattr(node, field) == "A's <words>"


@pytest.mark.parametrize("noun", ["code", "theme"])
def test_the_same_words_typed_in_two_tabs_are_no_conflict(study, owner, noun):
    make, field = NODES[noun]
    node = make(study)
    edit = reverse(f"{noun}_edit", args=[study.slug, node.pk])
    client = client_for(owner)
    same = {"name": "Training", field: "Same words", "revision": node.revision}
    client.post(edit, same, headers=HTMX)
    html = client.post(edit, same, headers=HTMX).content.decode()
    assert MEANWHILE not in html
    assert "changed by someone else" not in html
    model = Code if noun == "code" else Theme
    assert getattr(model.objects.get(pk=node.pk), field) == "Same words"

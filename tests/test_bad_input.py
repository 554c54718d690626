"""Bad input to every form a study page posts: a message, never a 500.

Every POST the access matrix knows is sent again by its owner with each field it reads
replaced by something a browser would not send: a digit Python's int() refuses ("²"), a
number too large for any database column, a negative number, an empty value. Each answer
must be a page or a refusal with its message (STYLE.md: forms parse every POST). Whatever
the outcome, a POST without htmx (a form posted without JavaScript, or before htmx loaded) is
answered with a whole page or a redirect to one, never a bare fragment of a page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import HTMX, client_for
from tests.test_access_matrix import AUTHOR, CASES, build, url_for

# The fields the app's forms read, beyond those of each case's valid data.
FIELDS = [
    *("to", "code", "into", "confirm", "start", "end", "text", "version", "revision"),
    *("page", "choose", "status", "name", "reinstate", "detect", "parent", "memo", "shown"),
    *("next", "new_code", "confirm_new", "code_name", "pseudonym", "attr-0", "detach"),
    *("reopen", "body", "extract", "title", "role", "username", "variants", "replacement"),
]
HOSTILE = ["²", "9" * 30, "-1", "", "nan", "1e999"]


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "post"], ids=lambda c: c.name)
def test_bad_input_is_refused_with_a_message_never_a_500(case, study, owner, coder):
    objects = build(study, coder)
    case.prepare and case.prepare(Client(), owner, objects)
    valid = case.data(objects)
    for value in HOSTILE:
        for fields in (valid.keys(), FIELDS):
            data = {**valid, **dict.fromkeys(fields, value)}
            for headers in ({}, HTMX):
                client = client_for(owner)
                if case.prepare:
                    case.prepare(client, owner, objects)
                response = client.post(url_for(case, objects), data, headers=headers)
                assert response.status_code < 500, (value, data)
                if response.status_code >= 400:
                    assert response.content.strip(), "a refusal says why"
                if not headers:
                    assert_whole_page_or_redirect(response, (value, data))


def assert_whole_page_or_redirect(response, about) -> None:
    """A plain form's answer, success or refusal, is a redirect or a whole page: a bare
    fragment (a flash, a table row) shows in the window as an unstyled scrap."""
    if response.status_code in (301, 302, 303):
        return
    assert b"<html" in response.content, (about, response.status_code, response.content[:200])


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "post"], ids=lambda c: c.name)
def test_a_plain_post_is_answered_with_a_whole_page(case, study, owner, coder):
    """A valid POST of every write URL by a member allowed to make it (the owner; the coder
    for a change to the coder's memo), as a form without JavaScript sends it."""
    objects = build(study, coder)
    user = coder if case.action == AUTHOR else owner
    client = client_for(user)
    if case.prepare:
        case.prepare(client, user, objects)
    response = client.post(url_for(case, objects), case.data(objects))
    assert response.status_code < 400, response.content[:300]
    assert_whole_page_or_redirect(response, case.name)

"""The server-error page (templates/500.html), rendered by Django with no context."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from core.templatetags.flash import REGIONS


@pytest.mark.django_db
def test_the_server_error_page_carries_the_message_regions_every_page_has(
    django_assert_num_queries,
):
    """flash.js and the htmx answers fill #flash-status and #flash-alert, which every page
    carries from its load (_flash.html): the page shown after a server error has them too,
    with the roles a screen reader announces them by, and reads nothing to render."""
    with django_assert_num_queries(0):  # None: the request that failed may have no database.
        page = server_error(RequestFactory().get("/")).content.decode()
    assert re.search(r'<div id="flash" class="flash">', page)
    for region, role, live in REGIONS:
        assert re.search(
            rf'<div id="flash-{region}" class="flash-region" role="{role}" aria-live="{live}">',
            page,
        ), region
    assert "Something went wrong on our side" in page

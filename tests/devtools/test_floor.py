"""The benchmark's floor view: one row written behind the site's middleware, nothing more."""

from __future__ import annotations

from django.urls import reverse

from devtools.models import FloorRow
from tests.conftest import HTMX, client_for

URL = "devtools_floor"


def test_it_writes_one_row_in_the_least_queries_a_logged_in_post_makes(
    owner, django_assert_num_queries
):
    client = client_for(owner)
    # the session, the user, the INSERT
    with django_assert_num_queries(3):
        response = client.post(reverse(URL), {"text": "row 1"}, headers=HTMX)
    assert response.status_code == 200
    # The message region every htmx action's answer empties (core.http) follows it.
    assert response.text.partition("\n")[0] == "Saved."
    assert list(FloorRow.objects.values_list("text", flat=True)) == ["row 1"]


def test_it_refuses_get_and_strangers_to_the_login(owner, client):
    assert client_for(owner).get(reverse(URL)).status_code == 405
    response = client.post(reverse(URL), {"text": "row 1"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not FloorRow.objects.exists()

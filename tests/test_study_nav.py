"""The study's menu in every page's header (templates/_study_nav.html), kept in the cache by
all it shows: each reader, page and study gets its own, never another's."""

from __future__ import annotations

import re

from django.urls import reverse

from interviews import services as interviews
from tests.conftest import client_for


def _menu(client, name: str, slug: str) -> str:
    html = client.get(reverse(name, args=[slug])).content.decode()
    start = html.index('<nav class="studynav"')
    return html[start : html.index("</nav>", start)]


def _current(menu: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', menu)


def test_the_owner_alone_sees_the_settings_whoever_read_the_page_first(study, owner, coder):
    settings = reverse("study_settings", args=[study.slug])
    assert settings not in _menu(client_for(coder), "retrieve", study.slug)
    assert settings in _menu(client_for(owner), "retrieve", study.slug)
    assert settings not in _menu(client_for(coder), "retrieve", study.slug)


def test_the_menu_marks_the_page_it_is_on(study, owner):
    client = client_for(owner)
    assert _current(_menu(client, "retrieve", study.slug)) == [
        reverse("retrieve", args=[study.slug])
    ]
    assert _current(_menu(client, "codebook", study.slug)) == [
        reverse("codebook", args=[study.slug])
    ]
    assert _current(_menu(client, "retrieve", study.slug)) == [
        reverse("retrieve", args=[study.slug])
    ]


def test_each_study_links_to_its_own_pages(study, owner):
    other = interviews.study_create(title="A second study", owner=owner)
    assert other.slug != study.slug
    client = client_for(owner)
    first = _menu(client, "retrieve", study.slug)
    second = _menu(client, "retrieve", other.slug)
    assert f"/studies/{study.slug}/" in first
    assert f"/studies/{other.slug}/" not in first
    assert f"/studies/{other.slug}/" in second
    assert f"/studies/{study.slug}/" not in second

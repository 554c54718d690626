"""`{% kept_typed as name %}`: what a refused form held that the user typed, kept for the
page the refusal sent them back to (core.http.keep_typed), taken out so it shows once."""

from __future__ import annotations

from django import template

from core.http import kept_typed as _kept_typed

register = template.Library()


@register.simple_tag(takes_context=True)
def kept_typed(context) -> list[tuple[str, str]]:
    request = context.get("request")
    return _kept_typed(request) if request is not None else []

"""The message region's template helpers (_flash.html): `undo_url`, the URL of a kept
message's Undo, "" for none (core.http.message_undo_url); `more_url`, the URL of the page
listing all a capped message names (core.http.message_more_url); `flash_region`, which of the two
live regions a message of a level goes to; `flash_regions`, the two regions."""

from __future__ import annotations

from django import template

from core.http import message_more_url, message_undo_url

register = template.Library()
register.filter("undo_url", message_undo_url)
register.filter("more_url", message_more_url)

# (id suffix, role, aria-live): messages are said when the reader pauses, refusals and
# errors at once. role="alert" only for those: an alert interrupts what is being read.
REGIONS = (("status", "status", "polite"), ("alert", "alert", "assertive"))


@register.filter
def flash_region(level: str) -> str:
    """ "alert" for a message of level "error" (a refusal, a failure), else "status"."""
    return "alert" if level == "error" else "status"


@register.simple_tag
def flash_regions() -> tuple[tuple[str, str, str], ...]:
    """The two live regions, each (id suffix, role, aria-live), in the page's order."""
    return REGIONS

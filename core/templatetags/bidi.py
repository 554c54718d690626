"""The `bdi` filter: a message with its names isolated (core.bidi.bdi_html); `bdi_led`, a
message that begins with a name given as its argument (core.bidi.bdi_html_led)."""

from __future__ import annotations

from django import template

from core.bidi import bdi_html, bdi_html_led

register = template.Library()
register.filter("bdi", bdi_html)
register.filter("bdi_led", bdi_html_led)

"""The `bdi` filter: a message with its names isolated (core.bidi.bdi_html)."""

from __future__ import annotations

from django import template

from core.bidi import bdi_html

register = template.Library()
register.filter("bdi", bdi_html)

"""The `undo_url` filter: the URL of a kept message's Undo, "" for none
(core.http.message_undo_url)."""

from __future__ import annotations

from django import template

from core.http import message_undo_url

register = template.Library()
register.filter("undo_url", message_undo_url)

"""Erase what has waited in the bins longer than EXCERPTA_BIN_DAYS, and ended undo history."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coding import bin


class Command(BaseCommand):
    help = (
        "Erase deleted excerpts and codes older than EXCERPTA_BIN_DAYS days, and the undo "
        "history of sessions that ended. Every deletion does this too; schedule the command "
        "(daily, say) where the app may go days without one."
    )

    def handle(self, *args, **options):
        erased = bin.purge()
        self.stdout.write(", ".join(f"{n} {what}" for what, n in erased.items()) + " erased.")

from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from .memory import freed_memory, limit_arenas, limit_mmap_threshold

        # Before any thread of a worker serves a request (core.memory.ARENAS).
        limit_arenas()
        # Large blocks go back to the kernel as they are freed (core.memory.MMAP_THRESHOLD).
        limit_mmap_threshold()
        # After each response has gone out, not before: the collection takes up to 220 ms
        # on a loaded machine, which the user must not wait for (core.memory).
        request_finished.connect(freed_memory, dispatch_uid="core.memory")
        # The worker's size as each request begins: the growth that sets off a trim is the
        # request's own (core.memory.FreedMemory).
        request_started.connect(freed_memory.started, dispatch_uid="core.memory.started")

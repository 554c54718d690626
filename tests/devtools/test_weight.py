"""The pieces of the weight measurements (devtools/benchmark/weight.py)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.urls import reverse

from devtools.benchmark.weight import children, every_page, resident_mb
from themes.views.exports import DOWNLOADS

PLAN = {"slug": "s", "transcript_400": 4, "theme": 7, "code": 9}


def test_the_pass_asks_for_every_page_and_download_of_the_study():
    pages = every_page(PLAN)
    paths = [path for path, _ in pages]

    for name in ("study_detail", "codebook", "themes", "bin", "respondents", "members"):
        assert reverse(name, args=["s"]) in paths
    for what in DOWNLOADS:
        assert reverse(f"export_{what}", args=["s"]) in paths
    assert reverse("interview_code", args=["s", 4]) in paths
    assert reverse("theme_detail", args=["s", 7]) in paths
    # The suggestions the page of a code's similar passages fetches once shown.
    assert (reverse("code_similar", args=["s", 9]), {"HX-Request": "true"}) in pages


def test_it_finds_a_process_s_children_and_their_memory():
    # The child says when its interpreter is up: measured any earlier, it may still be
    # the fork before exec, a fraction of a megabyte (a CI run read 0.2 MB).
    script = "import time; print('ready', flush=True); time.sleep(30)"
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n"
        assert child.pid in children(os.getpid())
        assert 1 < resident_mb(child.pid) < 500
    finally:
        child.kill()
        child.wait()

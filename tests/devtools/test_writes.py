"""The pieces of the write measurements (devtools/benchmark/writes.py)."""

from __future__ import annotations

from io import BytesIO

from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.http.multipartparser import MultiPartParser

from devtools.benchmark.writes import _multipart


def test_the_upload_body_is_what_a_browser_sends_for_many_files():
    files = [("R1-interview.txt", "Interviewer: Café?\n\nR1: Oui."), ("R2.txt", "R2: 😀")]
    body, content_type = _multipart({"files": files}, "token")
    meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
    fields, uploads = MultiPartParser(meta, BytesIO(body), [MemoryFileUploadHandler()]).parse()
    assert fields["csrfmiddlewaretoken"] == "token"
    sent = [(upload.name, upload.read().decode()) for upload in uploads.getlist("files")]
    assert sent == files

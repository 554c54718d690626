"""Mark the excerpts coded before the rule that hold only the interviewer's words."""

from __future__ import annotations

from django.db import migrations
from django.db.models import F


def forward(apps, schema_editor):
    # The rule itself, not a copy: it reads only the text, as it did when this was written.
    from interviews.turns import interviewer_only

    Excerpt = apps.get_model("coding", "Excerpt")
    Interview = apps.get_model("interviews", "Interview")
    marked = []
    # Orphaned excerpts (start == end) hold no words to judge.
    rows = Excerpt.objects.filter(end__gt=F("start")).values_list(
        "pk", "interview_id", "start", "end"
    )
    texts: dict[int, str] = {}
    for pk, interview_id, start, end in rows.order_by("interview_id").iterator():
        if interview_id not in texts:
            # One transcript held at a time: a large study's texts need not all fit.
            texts = {interview_id: Interview.objects.get(pk=interview_id).text}
        if interviewer_only(texts[interview_id], start, end):
            marked.append(pk)
    for at in range(0, len(marked), 500):
        Excerpt.objects.filter(pk__in=marked[at : at + 500]).update(interviewer_only=True)


class Migration(migrations.Migration):
    dependencies = [("coding", "0017_excerpt_interviewer_only")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

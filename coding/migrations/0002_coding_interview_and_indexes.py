import django.db.models.deletion
from django.db import migrations, models


def copy_interview(apps, schema_editor):
    Coding = apps.get_model("coding", "Coding")
    Excerpt = apps.get_model("coding", "Excerpt")
    interview_of = dict(Excerpt._base_manager.values_list("id", "interview_id"))
    batch = []
    for coding in Coding.objects.all().only("id", "excerpt_id").iterator():
        coding.interview_id = interview_of[coding.excerpt_id]
        batch.append(coding)
    Coding.objects.bulk_update(batch, ["interview"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0001_initial"),
        ("interviews", "0002_interview_study_respondent_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="coding",
            name="interview",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="interviews.interview",
            ),
        ),
        migrations.RunPython(copy_interview, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="coding",
            name="interview",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="interviews.interview",
            ),
        ),
        migrations.AddIndex(
            model_name="coding",
            index=models.Index(fields=["code", "interview"], name="coding_code_interview"),
        ),
        migrations.AddIndex(
            model_name="excerpt",
            index=models.Index(
                condition=models.Q(deleted_at__isnull=False),
                fields=["deleted_at"],
                name="excerpt_deleted",
            ),
        ),
    ]

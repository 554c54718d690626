from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="interview",
            index=models.Index(
                fields=["study", "respondent", "conducted_on"], name="interview_study_respondent"
            ),
        ),
    ]

import core.naming
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0002_interview_study_respondent_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="respondent",
            name="respondent_unique_pseudonym_ci",
        ),
        migrations.AddField(
            model_name="respondent",
            name="pseudonym_key",
            field=core.naming.NameKeyField(
                default="", editable=False, max_length=120, source="pseudonym"
            ),
            preserve_default=False,
        ),
    ]

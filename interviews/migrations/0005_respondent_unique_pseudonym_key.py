from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0004_backfill_respondent_pseudonym_key"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="respondent",
            constraint=models.UniqueConstraint(fields=("study", "pseudonym_key"), name="respondent_unique_pseudonym_key"),
        ),
    ]

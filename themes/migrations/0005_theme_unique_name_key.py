from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("themes", "0004_backfill_theme_name_key"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="theme",
            constraint=models.UniqueConstraint(fields=("study", "name_key"), name="theme_unique_name_key"),
        ),
    ]

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0006_backfill_code_name_key"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="code",
            constraint=models.UniqueConstraint(fields=("study", "name_key"), name="code_unique_name_key"),
        ),
    ]

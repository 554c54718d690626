"""Key each respondent's pseudonym again under NFKC (core.naming.name_key): compatibility forms such
as a full-width "R１" are now the same name as "R1". Names that are now the same are
reported, not merged, and the migration does not fail on them."""

from django.db import migrations

from core.naming import backfill_name_keys


def forward(apps, schema_editor):
    backfill_name_keys(apps.get_model("interviews", "Respondent"), field="pseudonym", noun="pseudonym")


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0017_history_newest_index"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

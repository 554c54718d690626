"""Store each pseudonym's pseudonym in NFC and fill its key (NFC, case-folded); pseudonyms that
are now the same are reported, not merged, and the migration does not fail on them."""

from django.db import migrations

from core.naming import backfill_name_keys


def forward(apps, schema_editor):
    backfill_name_keys(apps.get_model("interviews", "Respondent"), field="pseudonym", noun="pseudonym")


class Migration(migrations.Migration):

    dependencies = [
        ("interviews", "0003_respondent_pseudonym_key"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

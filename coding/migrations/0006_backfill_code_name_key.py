"""Store each code's name in NFC and fill its key (NFC, case-folded); names that
are now the same are reported, not merged, and the migration does not fail on them."""

from django.db import migrations

from core.naming import backfill_name_keys


def forward(apps, schema_editor):
    backfill_name_keys(apps.get_model("coding", "Code"), field="name", noun="code name")


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0005_code_name_key"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

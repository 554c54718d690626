"""Store each theme's name in NFC and fill its key (NFC, case-folded); names that
are now the same are reported, not merged, and the migration does not fail on them."""

from django.db import migrations

from core.naming import backfill_name_keys


def forward(apps, schema_editor):
    backfill_name_keys(apps.get_model("themes", "Theme"), field="name", noun="theme name")


class Migration(migrations.Migration):

    dependencies = [
        ("themes", "0003_theme_name_key"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

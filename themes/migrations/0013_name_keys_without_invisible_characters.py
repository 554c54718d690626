"""Store each theme's name without the invisible characters that carry no letter
(zero-width space, word joiner, byte order mark, bidirectional embeddings, overrides and
isolates, soft hyphen: core.naming.tidy), and key it again without any format character
(core.naming.name_key): "Training\\u200b" is now the same name as "Training".

Two themes of one study whose names are now the same are both kept, neither renamed nor
merged, and the migration does not fail on them: the second keeps its name and gets a key
marked apart (core.naming.backfill_name_keys), each such pair is written to the output so
that the researcher renames one, and saving it under the same name is refused.
"""

from django.db import migrations

from core.naming import backfill_name_keys


def forward(apps, schema_editor):
    backfill_name_keys(apps.get_model("themes", "Theme"), field="name", noun="theme name")


class Migration(migrations.Migration):
    dependencies = [
        ("themes", "0012_covered_fk_indexes_dropped"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

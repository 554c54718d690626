"""Store each respondent's pseudonym without the invisible characters that carry no letter
(zero-width space, word joiner, byte order mark, bidirectional embeddings, overrides and
isolates, soft hyphen: core.naming.tidy), and key it and order it again without any format
character (core.naming.name_key): "R\\u200b1" is now the same pseudonym as "R1".

Two respondents of one study whose pseudonyms are now the same are both kept, neither
renamed nor merged, and the migration does not fail on them: the second keeps its name and
gets a key marked apart (core.naming.backfill_name_keys), each such pair is written to the
output so that the researcher renames one, and saving it under the same name is refused.
"""

from django.db import migrations

from core.naming import backfill_name_keys, order_key


def forward(apps, schema_editor):
    model = apps.get_model("interviews", "Respondent")
    backfill_name_keys(model, field="pseudonym", noun="pseudonym")
    rows = list(model.objects.only("pk", "pseudonym"))
    for row in rows:
        row.pseudonym_order = order_key(row.pseudonym)
    model.objects.bulk_update(rows, ["pseudonym_order"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("interviews", "0021_covered_fk_indexes_dropped"),
    ]

    operations = [
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

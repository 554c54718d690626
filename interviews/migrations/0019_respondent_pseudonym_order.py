
import core.naming
from django.db import migrations

from core.naming import order_key


def forward(apps, schema_editor):
    """Fill the order key of every respondent and of their history's records (a record with
    an empty key would read as a change of it)."""
    for name in ("Respondent", "HistoricalRespondent"):
        model = apps.get_model("interviews", name)
        rows = list(model.objects.only("pk", "pseudonym"))
        for row in rows:
            row.pseudonym_order = order_key(row.pseudonym)
        model.objects.bulk_update(rows, ["pseudonym_order"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ('interviews', '0018_name_keys_nfkc'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='interview',
            options={'ordering': ['respondent__pseudonym_order', 'respondent_id', 'conducted_on', 'id']},
        ),
        migrations.AlterModelOptions(
            name='respondent',
            options={'ordering': ['pseudonym_order', 'id']},
        ),
        migrations.AddField(
            model_name='historicalrespondent',
            name='pseudonym_order',
            field=core.naming.OrderKeyField(default='', editable=False, max_length=200, source='pseudonym'),
        ),
        migrations.AddField(
            model_name='respondent',
            name='pseudonym_order',
            field=core.naming.OrderKeyField(default='', editable=False, max_length=200, source='pseudonym'),
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]

import core.naming
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("coding", "0004_excerpt_orphaned_index"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="code",
            name="code_unique_name_ci",
        ),
        migrations.AddField(
            model_name="code",
            name="name_key",
            field=core.naming.NameKeyField(
                default="", editable=False, max_length=360, source="name"
            ),
            preserve_default=False,
        ),
    ]

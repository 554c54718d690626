import core.naming
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("themes", "0002_review_quotes_comments"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="theme",
            name="theme_unique_name_ci",
        ),
        migrations.AddField(
            model_name="theme",
            name="name_key",
            field=core.naming.NameKeyField(
                default="", editable=False, max_length=480, source="name"
            ),
            preserve_default=False,
        ),
    ]

# Codes keep their colour as #rrggbb from now on (any colour can be picked); the palette
# names stored before become the hex values they stood for.

from django.db import migrations, models

import coding.palette

# The palette as it was when colours were stored by name.
NAMED = {
    "blue": "#2563eb",
    "teal": "#0d9488",
    "green": "#16a34a",
    "lime": "#65a30d",
    "amber": "#d97706",
    "orange": "#ea580c",
    "red": "#dc2626",
    "rose": "#e11d48",
    "purple": "#9333ea",
    "indigo": "#4f46e5",
    "cyan": "#0891b2",
    "slate": "#475569",
}
BY_HEX = {colour: name for name, colour in NAMED.items()}


def names_to_hex(apps, schema_editor):
    Code = apps.get_model("coding", "Code")
    for name, colour in NAMED.items():
        Code.objects.filter(colour=name).update(colour=colour)
    Code.objects.exclude(colour__in=NAMED.values()).exclude(colour__regex=r"^#[0-9a-f]{6}$").update(
        colour=NAMED["blue"]
    )


def hex_to_names(apps, schema_editor):
    Code = apps.get_model("coding", "Code")
    for colour, name in BY_HEX.items():
        Code.objects.filter(colour=colour).update(colour=name)
    Code.objects.exclude(colour__in=NAMED).update(colour="blue")


class Migration(migrations.Migration):
    dependencies = [
        ("coding", "0008_undo_and_bin"),
    ]

    operations = [
        migrations.AlterField(
            model_name="code",
            name="colour",
            field=models.CharField(
                default="#2563eb", max_length=20, validators=[coding.palette.validate_colour]
            ),
        ),
        migrations.RunPython(names_to_hex, hex_to_names),
    ]

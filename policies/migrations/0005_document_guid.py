"""Documents get a stable GUID for REFI-QDA exchange: added nullable, filled per row, then made unique."""

import uuid

from django.db import migrations, models


def fill_guids(apps, schema_editor):
    Document = apps.get_model("policies", "Document")
    for pk in Document.objects.filter(guid__isnull=True).values_list("pk", flat=True).iterator():
        Document.objects.filter(pk=pk).update(guid=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ("policies", "0004_policy_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="document",
            name="guid",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill_guids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="document",
            name="guid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]

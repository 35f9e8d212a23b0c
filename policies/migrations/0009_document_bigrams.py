"""The bigram index of text search (policies.models.DocumentBigrams): on PostgreSQL a table of each document's
character bigram codes, its foreign key deleting a row with its document, filled for the documents that exist (in
batches, flat memory), then its GIN index. Other databases get nothing: the model names PostgreSQL as its database.
The trigram index of 0008 stays: it answers terms of three characters or more, which bigram codes answer loosely."""

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models


def link_and_fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from policies.services.bigrams import document_bigrams_backfill

    # Sorted distinct integers do not compress: EXTERNAL skips the attempt (a third of the time to store them).
    schema_editor.execute("ALTER TABLE policies_documentbigrams ALTER COLUMN codes SET STORAGE EXTERNAL")
    schema_editor.execute(
        "ALTER TABLE policies_documentbigrams ADD CONSTRAINT policies_documentbigrams_document_fk "
        "FOREIGN KEY (document_id) REFERENCES policies_document (id) ON DELETE CASCADE"
    )
    document_bigrams_backfill(connection=schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("policies", "0008_document_text_trigram")]

    operations = [
        migrations.CreateModel(
            name="DocumentBigrams",
            fields=[
                (
                    "document",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="bigrams",
                        serialize=False,
                        to="policies.document",
                    ),
                ),
                ("codes", django.contrib.postgres.fields.ArrayField(base_field=models.IntegerField(), size=None)),
            ],
            options={"required_db_vendor": "postgresql"},
        ),
        migrations.RunPython(link_and_fill, migrations.RunPython.noop),
        # After the fill: one GIN build over the rows is far quicker than inserting each row's codes into the index.
        migrations.AddIndex(
            model_name="documentbigrams",
            index=django.contrib.postgres.indexes.GinIndex(fields=["codes"], name="document_bigrams_codes"),
        ),
    ]

"""A trigram index on the document text for text search on PostgreSQL (pg_trgm); nothing on other databases.

The index lets `text LIKE '%term%'` find the documents holding a term of three characters or more without reading
every text (pg_trgm takes Chinese characters as letters in a UTF-8 database); text search uses it to choose the
documents it reads (policies.text.search.text_search)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS document_text_trigram ON policies_document USING gin (text gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS document_text_trigram")


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_corpus_words")]

    operations = [migrations.RunPython(create, drop)]

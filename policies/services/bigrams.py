"""The text search index's writes: each document's character bigram codes (policies.models.DocumentBigrams), stored
when its text is set and backfilled for documents that have none. PostgreSQL only; on other databases they do
nothing, and text search reads every text."""

import io
from collections.abc import Iterable

from django.db import connection as default_connection

from policies import ngrams

TABLE = "policies_documentbigrams"
BACKFILL_BATCH = 200  # documents read and written at a time: memory stays flat whatever the corpus


def document_bigrams_store(*, documents: Iterable[tuple[int, str]], connection=None) -> int:
    """Write the bigram codes of each (document id, text), replacing any row a document had; the rows written."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return 0
    ids, buffer = [], io.StringIO()
    for document_id, text in documents:
        ids.append(document_id)
        buffer.write(f"{int(document_id)}\t{ngrams.array_literal(ngrams.text_codes(text))}\n")
    if not ids:
        return 0
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE document_id = ANY(%s)", [ids])
        cursor.cursor.copy_expert(f"COPY {TABLE} (document_id, codes) FROM STDIN", buffer)  # COPY: no per-row SQL
    return len(ids)


def document_bigrams_backfill(*, connection=None, batch: int = BACKFILL_BATCH) -> int:
    """Store the bigram codes of every document that has no row yet, `batch` documents at a time; how many."""
    connection = connection or default_connection
    if connection.vendor != "postgresql":
        return 0
    done, after = 0, 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.id, d.text FROM policies_document d WHERE d.id > %s "
                f"AND NOT EXISTS (SELECT 1 FROM {TABLE} b WHERE b.document_id = d.id) ORDER BY d.id LIMIT %s",
                [after, batch],
            )
            rows = cursor.fetchall()
        if not rows:
            return done
        done += document_bigrams_store(documents=rows, connection=connection)
        after = rows[-1][0]

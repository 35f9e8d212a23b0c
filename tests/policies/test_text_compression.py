"""Document texts are stored with LZ4 on a PostgreSQL server built with it (migration policies 0010), and read back
unchanged."""

import pytest
from django.db import connection

from policies.models import Document
from tests.factories import DocumentFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: DATABASE_URL=postgres://…")


def _scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_long_text_is_stored_with_lz4_and_reads_back_unchanged():
    if not _scalar("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"):
        pytest.fail("this PostgreSQL has no LZ4: the migration leaves pglz, and CI's server should have it")
    text = "".join(f"第{n}条　政府数据共享开放应当遵循统一标准、依法有序的原则𠮷。\n" for n in range(3000))
    document = DocumentFactory(text=text, char_count=len(text))
    assert _scalar("SELECT pg_column_compression(text) FROM policies_document WHERE id = %s", [document.pk]) == "lz4"
    assert Document.objects.get(pk=document.pk).text == text
    position = text.index("第2999条")
    assert _scalar("SELECT SUBSTR(text, %s, 7) FROM policies_document WHERE id = %s", [position + 1, document.pk]) == (
        "第2999条　"
    )

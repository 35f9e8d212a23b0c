"""The text search index's codes: stored when a document's text is set, replaced with it, deleted with it, backfilled
for documents without any. On PostgreSQL the table holds them; elsewhere it does not exist and search reads every
text, so each test checks what a search finds on both and what the table holds where there is one."""

import io
import zipfile

import pytest
from django.db import connection

from policies import ngrams
from policies.models import Document, DocumentBigrams
from policies.services.bigrams import document_bigrams_backfill, document_bigrams_store
from policies.services.documents import document_delete, document_import, document_replace_file, document_restore
from policies.text import search
from tests.factories import DocumentFactory


def postgres() -> bool:
    return connection.vendor == "postgresql"


def stored(document) -> list[int] | None:
    """The codes the table holds for the document (None without a row)."""
    row = DocumentBigrams.objects.filter(document_id=document.pk).values_list("codes", flat=True).first()
    return None if row is None else list(row)


def found(project, owner, term: str) -> list[int]:
    result = search.text_search(project, owner, query=search.parse_query(term), scope=search.Scope())
    return sorted({line.document_id for line in result.lines})


@pytest.mark.django_db
def test_an_imported_document_is_searchable_by_a_two_character_term_at_once(project, owner):
    DocumentFactory(project=project, text="第一条　公共数据开放。")
    (outcome,) = document_import(project=project, user=owner, filename="a.txt", data="第一条　鸿蒙系统。".encode())
    document = outcome.document
    if postgres():
        assert stored(document) == ngrams.text_codes(document.text).tolist()
    assert found(project, owner, "鸿蒙") == [document.pk]


@pytest.mark.django_db
def test_each_document_of_a_zip_gets_its_codes(project, owner):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("a.txt", "第一条　鸿蒙系统。")
        z.writestr("b.txt", "第一条　数据开放。")
    outcomes = document_import(project=project, user=owner, filename="two.zip", data=archive.getvalue())
    a, b = (o.document for o in outcomes)
    if postgres():
        assert [stored(a), stored(b)] == [ngrams.text_codes(d.text).tolist() for d in (a, b)]
    assert (found(project, owner, "鸿蒙"), found(project, owner, "开放")) == ([a.pk], [b.pk])


@pytest.mark.django_db
def test_a_restored_document_gets_its_codes(project, owner):
    document = document_restore(project=project, user=owner, text="第一条　鸿蒙系统。", fields={"title": "恢复"})
    if postgres():
        assert stored(document) == ngrams.text_codes("第一条　鸿蒙系统。").tolist()
    assert found(project, owner, "鸿蒙") == [document.pk]


@pytest.mark.django_db
def test_replacing_a_documents_file_replaces_its_codes(project, owner):
    (outcome,) = document_import(project=project, user=owner, filename="a.txt", data="第一条　鸿蒙系统。".encode())
    document = document_replace_file(document=outcome.document, filename="b.txt", data="第一条　华为手机。".encode())
    if postgres():
        assert stored(document) == ngrams.text_codes("第一条　华为手机。").tolist()
        assert DocumentBigrams.objects.count() == 1
    assert found(project, owner, "鸿蒙") == []
    assert found(project, owner, "华为") == [document.pk]


@pytest.mark.django_db
def test_deleting_a_document_or_its_project_deletes_its_codes(project, owner):
    (first,) = document_import(project=project, user=owner, filename="a.txt", data="第一条　鸿蒙系统。".encode())
    (second,) = document_import(project=project, user=owner, filename="b.txt", data="第一条　鸿蒙手机。".encode())
    if postgres():
        assert DocumentBigrams.objects.count() == 2
    document_delete(document=first.document)
    assert found(project, owner, "鸿蒙") == [second.document.pk]
    if postgres():
        assert list(DocumentBigrams.objects.values_list("document_id", flat=True)) == [second.document.pk]
    project.delete()  # Django's cascade deletes the documents; the database's, their codes
    assert not Document.objects.exists()
    if postgres():
        assert not DocumentBigrams.objects.exists()


@pytest.mark.django_db
def test_storing_codes_again_replaces_the_row(project):
    document = DocumentFactory(project=project, text="第一条　鸿蒙系统。")
    written = document_bigrams_store(documents=[(document.pk, "数据安全")])
    if postgres():
        assert written == 1
        assert stored(document) == ngrams.text_codes("数据安全").tolist()
        assert DocumentBigrams.objects.count() == 1
    else:
        assert written == 0  # no table, nothing written


@pytest.mark.django_db
def test_backfill_stores_codes_for_the_documents_without_any_in_batches(project, owner):
    indexed = DocumentFactory(project=project, text="第一条　公共数据开放。")
    missing = [DocumentFactory(project=project, text=f"第{i}条　鸿蒙系统{i}。", bigrams=False) for i in range(3)]
    done = document_bigrams_backfill(batch=2)
    if postgres():
        assert done == 3
        assert stored(indexed) == ngrams.text_codes(indexed.text).tolist()
        assert [stored(d) for d in missing] == [ngrams.text_codes(d.text).tolist() for d in missing]
        assert document_bigrams_backfill() == 0  # nothing left to fill
    else:
        assert done == 0
    assert found(project, owner, "鸿蒙") == [d.pk for d in missing]

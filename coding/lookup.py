"""Loader: what a coding request names — the passage of a document and a node with its path — in one small query.

Raw SQL on purpose: these run for every coding saved, and building the same queries through the ORM cost more
server time than anything else in a save (ten coders saving at once keep every worker busy). Each query reads only
what a save needs: the passage, not a 60,000-character text; the node's ancestors, not the whole codebook. A
document saved in again has its text held by the process (policies.text.cache), and the query reads its hash instead
of the passage.
"""

from django.db import connection

from framework.models import Node
from policies.access import ID_LIMIT
from policies.models import Document, Project
from policies.rows import execute
from policies.text.cache import TEXTS

# Positions and ids beyond these lie outside any text or table (a 32-bit position for SUBSTR, a 64-bit id:
# policies.access.ID_LIMIT); they are answered as "not found" or "outside the document" before a database is asked.
SUBSTR_LIMIT = 2**31 - 2
MAX_DEPTH = 1000  # a codebook deeper than this is not a tree any more


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _up(nodes: str) -> str:
    """The recursive query `up`: a node of the project (id = %s, project_id = %s) and its ancestors, with their depth
    (at most %s)."""
    return (
        f"WITH RECURSIVE up (id, parent_id, name, codable, depth) AS ("
        f" SELECT id, parent_id, name, codable, 0 FROM {nodes} WHERE id = %s AND project_id = %s"
        f" UNION ALL"
        f" SELECT n.id, n.parent_id, n.name, n.codable, up.depth + 1 FROM {nodes} n JOIN up ON n.id = up.parent_id"
        f" WHERE up.depth < %s)"
    )


def _substr(start: int, end: int) -> list[int]:
    """SUBSTR's first position (1-based) and length for text[start:end], kept within a 32-bit position."""
    return [min(max(start, 0), SUBSTR_LIMIT) + 1, max(0, min(end - start, SUBSTR_LIMIT))]


def _document(project: Project, pk: int, char_count: int, text: str | None) -> tuple[Document, str]:
    document = Document.from_db(connection.alias, ["id", "project_id", "char_count"], [pk, project.pk, char_count])
    return document, text or ""


def _passage_column(document_id: int, start: int, end: int) -> tuple[str, list, tuple[str, str] | None]:
    """What the query reads for the passage, its parameters, and the text held for the document: the text_hash
    when a text is held (the passage is sliced from it), else SUBSTR of the text."""
    held = TEXTS.get(document_id)
    if held is not None:
        return "text_hash", [], held
    return "SUBSTR(text, %s, %s)", _substr(start, end), None


def _found_document(
    project: Project, row: tuple, held: tuple[str, str] | None, start: int, end: int
) -> tuple[Document, str]:
    """The document and its passage from (id, char_count, SUBSTR or text_hash): sliced from the held text when its
    hash is the document's, read again when it is not (the text was replaced), and the text held when the cache
    admits it."""
    pk, char_count, value = row
    if held is None:
        if TEXTS.admit(pk, char_count):
            _hold(project, pk)
        return _document(project, pk, char_count, value)
    if value != held[0]:
        TEXTS.drop(pk)
        return passage(project, pk, start, end)
    position, length = _substr(start, end)
    return _document(project, pk, char_count, held[1][position - 1 : position - 1 + length])


def _hold(project: Project, pk: int) -> None:
    sql = f"SELECT text_hash, text FROM {_table(Document)} WHERE id = %s AND project_id = %s"
    with connection.cursor() as cursor:
        execute(connection, cursor, sql, [pk, project.pk])
        row = cursor.fetchone()
    if row is not None:
        TEXTS.put(pk, *row)


def _node(project: Project, rows: list[tuple]) -> tuple[Node, str]:
    """The node and its path from (id, parent_id, name, codable) rows, the node first and then its ancestors."""
    pk, parent_id, name, codable = rows[0][:4]
    node = Node.from_db(
        connection.alias,
        ["id", "project_id", "parent_id", "name", "codable"],
        [pk, project.pk, parent_id, name, bool(codable)],
    )
    return node, "/".join(row[2] for row in reversed(rows))


def passage(project: Project, document_id: int, start: int, end: int) -> tuple[Document, str] | None:
    """The project's document (id, project and char_count only) and its text[start:end] ('' when it lies past the
    end), or None when the project holds no such document."""
    if not 0 < document_id <= ID_LIMIT:
        return None
    column, params, held = _passage_column(document_id, start, end)
    sql = f"SELECT id, char_count, {column} FROM {_table(Document)} WHERE id = %s AND project_id = %s"
    with connection.cursor() as cursor:
        execute(connection, cursor, sql, [*params, document_id, project.pk])
        row = cursor.fetchone()
    return None if row is None else _found_document(project, row, held, start, end)


def node_with_path(project: Project, node_id: int) -> tuple[Node, str] | None:
    """The project's node (id, project, parent, name and codable only) and its path (`Category/Child`), or None."""
    if not 0 < node_id <= ID_LIMIT:
        return None
    sql = f"{_up(_table(Node))} SELECT id, parent_id, name, codable, depth FROM up ORDER BY depth"
    with connection.cursor() as cursor:
        execute(connection, cursor, sql, [node_id, project.pk, MAX_DEPTH])
        rows = cursor.fetchall()
    return _node(project, rows) if rows else None


def passage_and_node(
    project: Project, document_id: int, start: int, end: int, node_id: int
) -> tuple[tuple[Document, str] | None, tuple[Node, str] | None]:
    """passage() and node_with_path() in one statement (one round trip and one plan for every save): the document's
    row and the node's ancestors, told apart by their first column."""
    if not 0 < document_id <= ID_LIMIT or not 0 < node_id <= ID_LIMIT:
        return passage(project, document_id, start, end), node_with_path(project, node_id)
    column, params, held = _passage_column(document_id, start, end)
    sql = (
        f"{_up(_table(Node))}"
        f" SELECT 0, id, char_count, {column}, NULL, 0 FROM {_table(Document)}"
        f" WHERE id = %s AND project_id = %s"
        f" UNION ALL SELECT 1, id, parent_id, name, codable, depth FROM up ORDER BY 1, 6"
    )
    with connection.cursor() as cursor:
        execute(connection, cursor, sql, [node_id, project.pk, MAX_DEPTH, *params, document_id, project.pk])
        rows = cursor.fetchall()
    found_document = None
    if rows and rows[0][0] == 0:
        _kind, pk, char_count, value, _none, _depth = rows.pop(0)
        found_document = _found_document(project, (pk, char_count, value), held, start, end)
    return found_document, (_node(project, [row[1:] for row in rows]) if rows else None)

"""Loader: one model row with the rows its foreign keys point to, in one query built once per process.

Every API request resolves its token to a user and every view its user's membership of a project. Through the ORM,
building those two small queries (a join and two models' columns each time) cost about 1 ms of server CPU per
request: a fifth of saving a coding under load. A RowLoader builds the same SELECT once from the models' own
fields and turns the values into model instances through the converters the ORM applies, so the instances are the
ones `select_related(...).get(...)` gives, related rows cached.
"""

import hashlib
import weakref
from collections.abc import Sequence
from functools import cached_property

from django.db import connections, router
from django.db.models import Model


def execute(connection, cursor, sql: str, params: Sequence) -> None:
    """cursor.execute(sql, params) for a statement of the hot paths, prepared once per session on PostgreSQL.

    Planning these small statements cost the database more CPU than running them (0.06 ms for the membership's,
    0.19 ms for the passage and node's, against 0.02 and 0.07 ms to run): on a persistent connection (CONN_MAX_AGE,
    as under gunicorn) the statement is prepared once with PREPARE, then run with EXECUTE. A connection opened for
    one request prepares nothing, nor one behind PgBouncer in transaction mode (PREPARED_STATEMENTS False, see
    config.settings.postgresql_database). The SQL uses %s placeholders only (no literal percent sign). A session
    keeps its plans, so a migration that changes these tables needs the workers restarted, as every release does.
    """
    settings = connection.settings_dict
    if (
        connection.vendor != "postgresql"
        or settings.get("CONN_MAX_AGE", 0) == 0
        or not settings.get("PREPARED_STATEMENTS", True)
    ):
        cursor.execute(sql, params)
        return
    name = _NAMES.get(sql)
    if name is None:
        name = _NAMES[sql] = "pc_" + hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]
    prepared = _PREPARED.setdefault(connection.connection, set())
    if name not in prepared:
        parts = sql.split("%s")
        numbered = "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], 1)) + parts[-1]
        cursor.execute(f"PREPARE {name} AS {numbered}")
        prepared.add(name)
    if params:
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
    else:
        cursor.execute(f"EXECUTE {name}")


_NAMES: dict[str, str] = {}  # SQL -> its prepared statement's name
# per open PostgreSQL connection (the driver's own object, gone with it): the names prepared in its session
_PREPARED: "weakref.WeakKeyDictionary[object, set[str]]" = weakref.WeakKeyDictionary()


class RowLoader:
    """`RowLoader(Membership, ("project_id", "user_id"), related=("project",)).get(project_id, user_id)`: the row
    whose columns equal the values (None when there is none), with each named foreign key's row joined and cached.
    The columns must identify at most one row (a primary key or a unique constraint)."""

    def __init__(self, model: type[Model], columns: Sequence[str], related: Sequence[str] = ()):
        self.model, self.columns, self.related = model, tuple(columns), tuple(related)
        self._prepared: dict[str, tuple[str, list]] = {}  # per database alias: the SQL and each field's converters

    @cached_property
    def _parts(self):
        """(model, field names, fields) per table: the base model first, then each related model."""
        meta = self.model._meta
        parts = [(self.model, None, list(meta.concrete_fields))]
        for name in self.related:
            field = meta.get_field(name)
            parts.append((field.related_model, field, list(field.related_model._meta.concrete_fields)))
        return parts

    def _sql(self, connection) -> str:
        quote = connection.ops.quote_name
        select, joins = [], []
        for index, (model, via, fields) in enumerate(self._parts):
            select += [f"t{index}.{quote(field.column)}" for field in fields]
            if via is not None:
                target = quote(via.target_field.column)
                joins.append(
                    f"JOIN {quote(model._meta.db_table)} t{index} ON t{index}.{target} = t0.{quote(via.column)}"
                )
        where = " AND ".join(f"t0.{quote(column)} = %s" for column in self.columns)
        table = quote(self.model._meta.db_table)
        return f"SELECT {', '.join(select)} FROM {table} t0 {' '.join(joins)} WHERE {where}"

    def _prepare(self, alias: str) -> tuple[str, list]:
        if alias not in self._prepared:
            connection = connections[alias]
            converters = []
            for _model, _via, fields in self._parts:
                for field in fields:
                    column = field.get_col(field.model._meta.db_table)
                    found = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
                    converters.append((column, found))
            self._prepared[alias] = (self._sql(connection), converters)
        return self._prepared[alias]

    def get(self, *values) -> Model | None:
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        sql, converters = self._prepare(alias)
        with connection.cursor() as cursor:
            execute(connection, cursor, sql, list(values))
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for index, (column, found) in enumerate(converters):
            for converter in found:
                row[index] = converter(row[index], column, connection)
        instances, at = [], 0
        for model, _via, fields in self._parts:
            instances.append(model.from_db(alias, [field.attname for field in fields], row[at : at + len(fields)]))
            at += len(fields)
        base = instances[0]
        for (_model, via, _fields), instance in zip(self._parts[1:], instances[1:], strict=True):
            via.set_cached_value(base, instance)
        return base


def insert(instance: Model) -> Model:
    """INSERT a new instance in one statement built once per model, and give it its primary key: what
    `instance.save()` does for a new row (auto_now values, the fields' own conversions), without building the ORM's
    insert query each time and without save's signals (no receiver listens on the models that use this).
    """
    _check_new(instance)
    alias = router.db_for_write(type(instance))
    connection = connections[alias]
    key = ("insert", type(instance), alias)
    if key not in _SQL:
        table, columns, marks, pk, fields = _insert_parts(type(instance), connection)
        _SQL[key] = (f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}", fields)
    sql, fields = _SQL[key]
    with connection.cursor() as cursor:
        execute(connection, cursor, sql, _values(instance, fields, connection))
        (pk,) = cursor.fetchone()
    _stored(instance, pk, alias)
    return instance


def links_in_one_statement(alias: str) -> bool:
    """Whether insert_linked can write its two rows in one statement on this database (PostgreSQL: a data-modifying
    WITH; SQLite has none)."""
    return connections[alias].vendor == "postgresql"


def insert_linked(first: Model, second: Model, link: str) -> None:
    """INSERT a new row and a second new row whose field `link` holds the first's key, in one statement on
    PostgreSQL: `WITH first AS (INSERT … RETURNING key) INSERT … VALUES (…, (SELECT key FROM first))`. One statement
    is atomic on its own, so outside a transaction it needs neither BEGIN nor COMMIT: one round trip, not four.
    Both instances get their keys, and the second its `link`; what save() would store, as with insert()."""
    alias = router.db_for_write(type(first))
    connection = connections[alias]
    if not links_in_one_statement(alias) or router.db_for_write(type(second)) != alias:
        raise ValueError("insert_linked writes both rows to one PostgreSQL database")
    link_field = type(second)._meta.get_field(link)
    key = ("linked", type(first), type(second), link, alias)
    if key not in _SQL:
        table, columns, marks, pk, first_fields = _insert_parts(type(first), connection)
        table2, columns2, marks2, pk2, second_fields = _insert_parts(type(second), connection, without=link_field)
        column = connection.ops.quote_name(link_field.column)
        sql = (
            f"WITH first AS (INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk})"
            f" INSERT INTO {table2} ({columns2}, {column}) VALUES ({marks2}, (SELECT {pk} FROM first))"
            f" RETURNING {pk2}, {column}"
        )
        _SQL[key] = (sql, first_fields, second_fields)
    sql, first_fields, second_fields = _SQL[key]
    for instance in (first, second):
        _check_new(instance)
    params = _values(first, first_fields, connection) + _values(second, second_fields, connection)
    with connection.cursor() as cursor:
        execute(connection, cursor, sql, params)
        second_pk, first_pk = cursor.fetchone()
    _stored(first, first_pk, alias)
    setattr(second, link_field.attname, first_pk)
    _stored(second, second_pk, alias)


def _check_new(instance: Model) -> None:
    meta = type(instance)._meta
    if getattr(instance, meta.pk.attname) is not None or not meta.pk.db_returning:
        raise ValueError("rows.insert writes new rows whose key the database gives")


def _insert_parts(model: type[Model], connection, without=None) -> tuple[str, str, str, str, list]:
    """The quoted table, its columns but the key's (and `without`'s), their placeholders, the quoted key column,
    and the fields whose values go in."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.pk and field is not without]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    return quote(meta.db_table), columns, ", ".join(["%s"] * len(fields)), quote(meta.pk.column), fields


def _values(instance: Model, fields: list, connection) -> list:
    return [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in fields]


def _stored(instance: Model, pk, alias: str) -> None:
    setattr(instance, type(instance)._meta.pk.attname, pk)
    instance._state.adding, instance._state.db = False, alias


_SQL: dict[tuple, tuple] = {}  # statements built once per process: ("insert" | "linked", models…, alias) -> SQL, fields

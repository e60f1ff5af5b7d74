"""Bulk writes for the benchmark generator: COPY on PostgreSQL, executemany on SQLite.

Rows are plain tuples in the order of a table's declared columns; timestamps travel as float
seconds since the Unix epoch (UTC) and are converted here, once per backend. Columns the
generator does not set get the model field's default, prepared once, so a field added to a model
later does not break the generator.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

_EPOCH_AWARE = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)

Row = tuple[Any, ...]


def aware(ts: float) -> datetime:
    return _EPOCH_AWARE + timedelta(seconds=ts)


def _sqlite_timestamp(ts: float) -> str:
    # What Django's SQLite backend stores for an aware datetime: naive UTC, str() format.
    return str(_EPOCH_NAIVE + timedelta(seconds=ts))


class Table:
    """One table: the columns the generator fills (by field attname), and defaults for the rest."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]):
        self.model = model
        self.label = model._meta.label
        self.db_table = model._meta.db_table
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise ValueError(f"{self.label} has no column {unknown[0]!r}")
        self.fields = [by_attname[c] for c in columns]
        self.rest = [f for f in model._meta.concrete_fields if f.attname not in set(columns)]
        self.timestamp_positions = [i for i, f in enumerate(self.fields) if isinstance(f, models.DateTimeField)]

    def column_list(self, connection: BaseDatabaseWrapper) -> str:
        quote = connection.ops.quote_name
        return ", ".join(quote(f.column or f.attname) for f in [*self.fields, *self.rest])

    def defaults(self, connection: BaseDatabaseWrapper) -> Row:
        return tuple(f.get_db_prep_save(f.get_default(), connection) for f in self.rest)


class Sink(ABC):
    """Writes rows into one database, counting them per table."""

    def __init__(self, connection: BaseDatabaseWrapper):
        self.connection = connection
        self.counts: dict[str, int] = {}
        self.seconds: dict[str, float] = {}  # time spent writing, per table
        self._defaults: dict[str, Row] = {}

    def _rest(self, table: Table) -> Row:
        rest = self._defaults.get(table.label)
        if rest is None:
            rest = self._defaults[table.label] = table.defaults(self.connection)
        return rest

    def write(self, table: Table, rows: list[Row]) -> None:
        if not rows:
            return
        started = time.monotonic()
        self._write(table, rows)
        self.seconds[table.label] = self.seconds.get(table.label, 0.0) + time.monotonic() - started
        self.counts[table.label] = self.counts.get(table.label, 0) + len(rows)

    @abstractmethod
    def _write(self, table: Table, rows: list[Row]) -> None:
        """Write `rows` to `table` in one go: each database has its fastest way."""

    def _prepared(self, table: Table, rows: Iterable[Row], convert: Any) -> Iterator[Row]:
        rest = self._rest(table)
        positions = table.timestamp_positions
        if not positions:
            for row in rows:
                yield row + rest
            return
        for row in rows:
            values = list(row)
            for i in positions:
                if values[i] is not None:
                    values[i] = convert(values[i])
            yield (*values, *rest)


class SQLiteSink(Sink):
    def _write(self, table: Table, rows: list[Row]) -> None:
        n = len(table.fields) + len(table.rest)
        sql = (f"INSERT INTO {self.connection.ops.quote_name(table.db_table)} ({table.column_list(self.connection)}) "
               f"VALUES ({', '.join(['?'] * n)})")
        cursor = self.connection.connection.cursor()
        try:
            cursor.executemany(sql, self._prepared(table, rows, _sqlite_timestamp))
        finally:
            cursor.close()


class PostgresSink(Sink):
    def _write(self, table: Table, rows: list[Row]) -> None:
        sql = (f"COPY {self.connection.ops.quote_name(table.db_table)} ({table.column_list(self.connection)}) "
               "FROM STDIN")
        with self.connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in self._prepared(table, rows, aware):
                copy.write_row(row)


def sink_for(connection: BaseDatabaseWrapper) -> Sink:
    if connection.vendor == "postgresql":
        return PostgresSink(connection)
    if connection.vendor == "sqlite":
        return SQLiteSink(connection)
    raise ValueError(f"The benchmark generator writes to SQLite or PostgreSQL, not {connection.vendor}.")

"""Declarative base with a naming convention, and column helpers shared by all domains."""

import sqlite3
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry

from coop.core import clock

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC (a callable: never evaluate it at import).

    The same as ``coop.core.clock.now``, the one place coop reads the clock.
    """
    return clock.now()


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as naive UTC and always returned timezone-aware in UTC.

    SQLite has no time zones and PostgreSQL's ``timestamptz`` converts to the session's
    zone; storing naive UTC behaves the same on both.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def enum_column(enum_cls, **kw) -> sa.Enum:
    """A portable enum column: VARCHAR plus a CHECK constraint, stored by value."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in enum_cls) + 4,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
        name=kw.pop("name", enum_cls.__name__.lower()),
        **kw,
    )


class Base(DeclarativeBase):
    # Every ``Mapped[datetime]`` is a UTC timestamp that comes back timezone-aware.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


@sa.event.listens_for(sa.engine.Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    """SQLite: enforce foreign keys, wait for locks, and let SQLAlchemy drive transactions.

    pysqlite's own transaction handling breaks SAVEPOINT and defers BEGIN; the recipe from
    SQLAlchemy's SQLite docs turns it off and emits BEGIN ourselves (see ``_on_begin``).
    """
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


#: ``connection.info`` key: whether the connection's current transaction ran a statement
#: that may have written (anything but a SELECT, BEGIN, SAVEPOINT or SHOW); False when it
#: only read. See ``end_read_only``.
WROTE = "coop_wrote"
_READS = ("SELECT", "BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT", "SHOW")


@sa.event.listens_for(sa.engine.Engine, "begin")
def _on_begin(conn):
    """A transaction begins having written nothing; SQLite's BEGIN is ours to send."""
    conn.info[WROTE] = False
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")


@sa.event.listens_for(sa.engine.Engine, "before_cursor_execute")
def _note_write(conn, cursor, statement, parameters, context, executemany):
    if conn.info.get(WROTE) is False and not statement.lstrip()[:17].upper().startswith(_READS):
        conn.info[WROTE] = True


def end_read_only(session) -> bool:
    """Commit ``session``'s transaction if it only read (no flush, no pending change, no
    statement but SELECTs on its connection); leave anything else to the rollback that
    ends every request. Returns whether it committed.

    Why: psycopg 3 forgets its prepared statements on every ROLLBACK, and a request that
    only reads used to end with one, so PostgreSQL planned every query of every page
    afresh (7 ms for the referrals list's seven-table join). A read-only transaction ends
    the same way whether committed or rolled back; committed, the connection keeps the
    statements psycopg prepares after their fifth run.
    """
    from coop.core.errors import has_writes

    if not session.in_transaction() or session.in_nested_transaction() or has_writes(session):
        return False
    if session.connection().info.get(WROTE) is not False:
        return False
    # Nothing changed, so nothing is stale: the objects keep their state, as after the
    # rollback this replaces (code that reads them after the app context still can).
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
    return True

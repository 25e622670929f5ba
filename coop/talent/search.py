"""Full-text search over career profiles, on both engines.

What is searched is ``CareerProfile.search_text`` (headline, summary, skills and target
roles, written by ``index``). PostgreSQL reads it through a GIN index on
``to_tsvector('simple', search_text)``; SQLite through the FTS5 table
``career_profiles_fts`` (rowid = the profile's id), which ``index`` keeps in step in the
same transaction. Both are made by the migration, and by ``create_all`` through the DDL
listeners below (the tests).

The two engines must find the same people, so both use the same rules: words are runs
of letters and digits, lower-cased, matched as prefixes ("analy" finds "analyst"), and
every word of the query must match. No stemming and no stop words (the ``simple``
configuration; FTS5's ``unicode61`` tokenizer). Only the order (ts_rank, bm25) differs.
"""

import re

import sqlalchemy as sa

from coop.extensions import db
from coop.talent.models import FTS_TABLE, FTS_TABLES, PG_INDEX, CareerProfile

# The FTS5 statements (the table's name is a constant: FTS_TABLE).
_DELETE = sa.text("DELETE FROM career_profiles_fts WHERE rowid = :id")
_INSERT = sa.text("INSERT INTO career_profiles_fts (rowid, search_text) VALUES (:id, :text)")
_MATCH = sa.text("career_profiles_fts MATCH :fts_query")
_OPTIMIZE = sa.text("INSERT INTO career_profiles_fts (career_profiles_fts) VALUES ('optimize')")
_RANK = sa.literal_column("bm25(career_profiles_fts)")

#: At most this many words of a query are used.
MAX_WORDS = 8


def outside_models(name: str | None, type_: str) -> bool:
    """Whether a table or index is one the search makes outside the models (SQLite's FTS5
    tables, PostgreSQL's GIN index): Alembic's comparisons leave them out."""
    return (type_ == "table" and name in FTS_TABLES) or (type_ == "index" and name == PG_INDEX)


def words(query: str | None) -> list[str]:
    """The query's words, as both engines split text (letters and digits), lower-cased."""
    found = re.findall(r"[^\W_]+", (query or "").lower())
    return list(dict.fromkeys(found))[:MAX_WORDS]


def text_of(profile: CareerProfile) -> str:
    return " \n".join(
        part
        for part in (
            profile.headline,
            profile.summary or "",
            " ".join(profile.skills or []),
            profile.target_roles or "",
        )
        if part
    )


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def index(profile: CareerProfile) -> None:
    """Write the profile's searchable text (and, on SQLite, its FTS5 row); flushes."""
    profile.search_text = text_of(profile)
    db.session.flush()
    if _dialect() == "sqlite":
        db.session.execute(_DELETE, {"id": profile.id})
        db.session.execute(
            _INSERT,
            {"id": profile.id, "text": profile.search_text},
        )


def forget(profile_ids) -> None:
    """Take profiles' rows out of the SQLite index (erasure); PostgreSQL's index reads
    ``search_text`` itself."""
    if _dialect() == "sqlite":
        for profile_id in profile_ids:
            db.session.execute(_DELETE, {"id": profile_id})


def index_rows(rows: list[tuple[int, str]]) -> None:
    """Bulk: FTS5 rows for ``(profile id, search text)`` pairs (the demo, the bench),
    then one merge of the index's segments, as FTS5's automerge would do over time."""
    if rows and _dialect() == "sqlite":
        db.session.execute(_INSERT, [{"id": i, "text": t} for i, t in rows])
        db.session.execute(_OPTIMIZE)


def matching(stmt: sa.Select, query: str | None, *, ranked: bool = True) -> tuple[sa.Select, bool]:
    """``stmt`` (which selects from ``career_profiles``) narrowed to the profiles matching
    every word of ``query``, and with ``ranked`` ordered by relevance; ``(stmt, True)``
    when there were words, else ``(stmt, False)`` unchanged. Unranked is for counting."""
    terms = words(query)
    if not terms:
        return stmt, False
    if _dialect() == "postgresql":
        tsquery = sa.func.to_tsquery(
            sa.literal_column("'simple'"), " & ".join(f"{t}:*" for t in terms)
        )
        vector = sa.func.to_tsvector(sa.literal_column("'simple'"), CareerProfile.search_text)
        stmt = stmt.where(vector.op("@@")(tsquery))
        if ranked:
            stmt = stmt.order_by(sa.func.ts_rank(vector, tsquery).desc(), CareerProfile.id)
        return stmt, True
    # FTS5 answers the match from its own index, on its own; the profiles then join (or,
    # for a count, look up) its rowids. Matching row by row from the profiles' side
    # would read the index once per profile.
    fts = sa.table(FTS_TABLE, sa.column("rowid"))
    match = _MATCH.bindparams(fts_query=" ".join(f'"{t}"*' for t in terms))
    if not ranked:
        return stmt.where(CareerProfile.id.in_(sa.select(fts.c.rowid).where(match))), True
    matched = (
        sa.select(fts.c.rowid.label("profile_id"), _RANK.label("rank"))
        .select_from(fts)
        .where(match)
        .subquery("matched")
    )
    stmt = stmt.join(matched, matched.c.profile_id == CareerProfile.id)
    return stmt.order_by(matched.c.rank, CareerProfile.id), True

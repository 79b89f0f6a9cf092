"""The catalogue's schema: numbered steps, applied once each, never edited once released.

``catalog.db`` records the number of the last step it has in ``schema_version``;
:data:`CATALOG_SCHEMA` (a ``sqlite_schema.SchemaFile``) applies the steps after it, in
one transaction, and refuses a file from newer code before touching anything in it. A
change to the schema is a new step at the end.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from sqlite_schema import SchemaError, SchemaFile, SchemaStep, transaction

__all__ = ["CATALOG_SCHEMA", "SCHEMA", "SchemaError", "SchemaStep", "migrate", "transaction"]

SCHEMA: tuple[SchemaStep, ...] = (
    SchemaStep(
        1,
        "recordings and their segments",
        (
            """CREATE TABLE recordings (
                id TEXT PRIMARY KEY,
                call_id TEXT NOT NULL,
                agent_id TEXT,
                extension TEXT,
                position_id TEXT,
                topic TEXT,
                municipality TEXT,
                started_at TEXT NOT NULL,
                duration_s REAL NOT NULL,
                size INTEGER NOT NULL,
                sha256 TEXT NOT NULL,
                key_id TEXT NOT NULL,
                file TEXT NOT NULL UNIQUE,
                category TEXT NOT NULL,
                held INTEGER NOT NULL DEFAULT 0 CHECK (held IN (0, 1)),
                deleting INTEGER NOT NULL DEFAULT 0 CHECK (deleting IN (0, 1)),
                stored_at TEXT NOT NULL,
                source TEXT UNIQUE
            )""",
            "CREATE INDEX recordings_by_started_at ON recordings (started_at)",
            "CREATE INDEX recordings_by_call ON recordings (call_id)",
            """CREATE TABLE segments (
                recording_id TEXT NOT NULL REFERENCES recordings (id),
                number INTEGER NOT NULL,
                started_at TEXT NOT NULL,
                offset_s REAL NOT NULL,
                duration_s REAL NOT NULL,
                PRIMARY KEY (recording_id, number)
            )""",
        ),
    ),
    SchemaStep(
        2,
        "the call's timeline and the coaching signals of each recording",
        (
            # n: the mark's place in the take's timeline, from 1; at: UTC, fixed width.
            """CREATE TABLE timeline (
                recording_id TEXT NOT NULL REFERENCES recordings (id),
                n INTEGER NOT NULL,
                at TEXT NOT NULL,
                kind TEXT NOT NULL,
                label TEXT NOT NULL,
                PRIMARY KEY (recording_id, n)
            )""",
            # One row a recording whose signals were computed; none when they could not
            # be. agent_talk_share is NULL when nobody talked.
            """CREATE TABLE signals (
                recording_id TEXT PRIMARY KEY REFERENCES recordings (id),
                agent_talk_s REAL,
                caller_talk_s REAL,
                agent_talk_share REAL,
                longest_silence_s REAL,
                overtalk_count INTEGER,
                overtalk_s REAL
            )""",
            "CREATE INDEX recordings_by_agent ON recordings (agent_id, started_at)",
        ),
    ),
    SchemaStep(
        3,
        "the hold time of each recording (from the call's timeline)",
        ("ALTER TABLE signals ADD COLUMN hold_s REAL NOT NULL DEFAULT 0",),
    ),
)

PRAGMAS = (
    "PRAGMA busy_timeout = 5000",
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    "PRAGMA secure_delete = ON",
    "PRAGMA foreign_keys = ON",
)

CATALOG_SCHEMA = SchemaFile("recordings catalogue", "recordings catalogue", SCHEMA, PRAGMAS)


def migrate(db: sqlite3.Connection, where: str, steps: Sequence[SchemaStep] = SCHEMA) -> int:
    """Apply the steps after the file's version; refuse a file newer than ``steps``."""
    return SchemaFile(CATALOG_SCHEMA.name, CATALOG_SCHEMA.noun, tuple(steps)).migrate(db, where)

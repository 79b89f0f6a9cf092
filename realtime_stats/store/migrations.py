"""Numbered schema migrations, applied in order, each in one transaction.

`schema_version` holds the number of the last step applied. Opening a store applies the
steps after it; a database already at the newest step is left alone, and one *newer* than
this code is refused before anything is touched, because older code would misread or
overwrite columns it does not know. Steps are never edited once released: a change is a
new step at the end.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from realtime_stats.store.database import Database, StoreError, Transaction


class SchemaError(StoreError):
    """The database's schema cannot be used by this code (newer, or a step failed)."""


@dataclass(frozen=True, slots=True)
class Migration:
    """Step `number`: SQL statements with `{ts}`, `{float}`, `{bool}`, `{int}` type names."""

    number: int
    what: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "calls, IVR steps, IVR calls, agent intervals, stream position",
        (
            """CREATE TABLE calls (
                call_id TEXT PRIMARY KEY,
                entered_at {ts} NOT NULL,
                municipality_id TEXT,
                topic_id TEXT,
                answered_at {ts},
                ended_at {ts},
                agent_id TEXT,
                talk_seconds {float} NOT NULL,
                after_call_seconds {float} NOT NULL,
                transferred {bool} NOT NULL,
                transfer_department TEXT,
                fell_back_from_department TEXT,
                recorded {bool} NOT NULL,
                agent_done {bool} NOT NULL
            )""",
            "CREATE INDEX calls_by_entered_at ON calls (entered_at)",
            # Steps of queued calls and of IVR-only calls alike, keyed by the call.
            """CREATE TABLE ivr_steps (
                call_id TEXT NOT NULL,
                seq {int} NOT NULL,
                node TEXT NOT NULL,
                digit TEXT,
                outcome TEXT,
                at {ts} NOT NULL,
                PRIMARY KEY (call_id, seq)
            )""",
            # Calls that have not queued: in the IVR now (ended_at NULL) or ended there.
            """CREATE TABLE ivr_calls (
                call_id TEXT PRIMARY KEY,
                started_at {ts} NOT NULL,
                ended_at {ts},
                end_phase TEXT,
                ended_by TEXT
            )""",
            "CREATE INDEX ivr_calls_by_started_at ON ivr_calls (started_at)",
            """CREATE TABLE agent_intervals (
                agent_id TEXT NOT NULL,
                start_at {ts} NOT NULL,
                state TEXT NOT NULL,
                end_at {ts},
                pause_reason TEXT,
                call_id TEXT,
                PRIMARY KEY (agent_id, start_at)
            )""",
            "CREATE INDEX agent_intervals_by_start_at ON agent_intervals (start_at)",
            """CREATE TABLE stream_position (
                id {int} PRIMARY KEY CHECK (id = 1),
                ms {int} NOT NULL,
                seq {int} NOT NULL
            )""",
        ),
    ),
    Migration(
        2,
        "back-office rings (direct calls and warm-transfer consults)",
        (
            # One row per ring of a department's extension; docs/events.md names the key.
            """CREATE TABLE backoffice_rings (
                call_id TEXT NOT NULL,
                extension TEXT NOT NULL,
                ring TEXT NOT NULL,
                kind TEXT NOT NULL,
                department_id TEXT NOT NULL,
                rang_at {ts} NOT NULL,
                answered_at {ts},
                not_answered_at {ts},
                not_answered_reason TEXT,
                ended_at {ts},
                ended_by TEXT,
                PRIMARY KEY (call_id, extension, ring)
            )""",
            "CREATE INDEX backoffice_rings_by_rang_at ON backoffice_rings (rang_at)",
        ),
    ),
    Migration(
        3,
        "the position an agent interval was at (the wallboard's Post column)",
        # Rows from before it have none: the wallboard shows "-" until the agent's next
        # state change.
        ("ALTER TABLE agent_intervals ADD COLUMN position_id TEXT",),
    ),
    Migration(
        4,
        "callback notes (made, due, done; no personal data)",
        (
            # One row per note; docs/events.md. The caller's data never reaches the stream.
            """CREATE TABLE callback_notes (
                note_id TEXT PRIMARY KEY,
                department_id TEXT NOT NULL,
                extension TEXT,
                topic_id TEXT,
                noted_at {ts} NOT NULL,
                due_at {ts} NOT NULL,
                done_at {ts},
                outcome TEXT
            )""",
            "CREATE INDEX callback_notes_by_noted_at ON callback_notes (noted_at)",
            "CREATE INDEX callback_notes_by_due_at ON callback_notes (due_at)",
            "CREATE INDEX callback_notes_by_done_at ON callback_notes (done_at)",
        ),
    ),
    Migration(
        5,
        "the last event applied per controller run (origin, seq), to skip one written twice",
        (
            # One row per run of the controller; written with the records it produced.
            """CREATE TABLE applied_seqs (
                origin TEXT PRIMARY KEY,
                seq {int} NOT NULL
            )""",
        ),
    ),
    Migration(
        6,
        "calls whose end never came (a controller restart): counted apart",
        ("ALTER TABLE calls ADD COLUMN end_unknown {bool} NOT NULL DEFAULT FALSE",),
    ),
    Migration(
        7,
        "back-office rings whose end never came (a controller restart)",
        ("ALTER TABLE backoffice_rings ADD COLUMN end_unknown {bool} NOT NULL DEFAULT FALSE",),
    ),
)


def migrate(db: Database, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring `db` up to the last of `migrations`; returns the version it is at."""
    numbers = [m.number for m in migrations]
    if numbers != list(range(1, len(migrations) + 1)):
        raise SchemaError(f"migrations must be numbered 1, 2, 3, ... in order, got {numbers}")
    newest = len(migrations)
    with db.transaction() as tx:
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version {int} NOT NULL)".format(**db.types)
        )
    for migration in migrations:
        with db.transaction() as tx:
            # Under the lock, so two processes opening one database apply each step once.
            tx.lock("schema_version")
            current = _refuse_newer(db, tx, newest)
            if current >= migration.number:
                continue
            try:
                for statement in migration.statements:
                    tx.execute(statement.format(**db.types))
            except db.errors as exc:
                raise SchemaError(
                    f"{db.where}: migration {migration.number} ({migration.what}) failed, "
                    f"nothing of it was applied: {exc}"
                ) from exc
            tx.execute("DELETE FROM schema_version")
            tx.execute("INSERT INTO schema_version (version) VALUES (?)", (migration.number,))
    with db.transaction() as tx:
        return _refuse_newer(db, tx, newest)


def _refuse_newer(db: Database, tx: Transaction, newest: int) -> int:
    rows = tx.rows("SELECT version FROM schema_version")
    if len(rows) > 1:
        raise SchemaError(f"{db.where}: schema_version has {len(rows)} rows, expected one")
    current = int(rows[0][0]) if rows else 0
    if current > newest:
        raise SchemaError(
            f"{db.where}: the database schema is version {current}, newer than this code "
            f"knows (up to {newest}); run a newer kcc14023 against it. Nothing was changed."
        )
    return current

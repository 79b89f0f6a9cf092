"""Durable call, IVR, agent, ring and callback-note records in SQL (a SQLite file or PostgreSQL).

`open_store(path_or_url)` opens and migrates the store; `Store.write(batch)` writes what the
event fold changed together with the stream position it reached (`StreamId`), and the
`*_between` methods read records back for reports, `snapshot` for rebuilding the day.

Below the event fold and above the figures: the store knows the records it keeps
(`realtime_stats.figures`) and nothing of who writes or reads them.
"""

from realtime_stats.store.batches import AppliedSeq, FoldSnapshot, SaveBatch
from realtime_stats.store.database import StoreError, store_target
from realtime_stats.store.migrations import MIGRATIONS, Migration, SchemaError
from realtime_stats.store.position import StreamId
from realtime_stats.store.store import Store, open_store

__all__ = [
    "MIGRATIONS",
    "AppliedSeq",
    "FoldSnapshot",
    "Migration",
    "SaveBatch",
    "SchemaError",
    "Store",
    "StoreError",
    "StreamId",
    "open_store",
    "store_target",
]

"""Durable call, IVR, agent and back-office ring records in SQL (SQLite file or PostgreSQL URL).

`open_store(path_or_url)` opens and migrates the store; `Store.save(changes, fold)` writes
what an `EventFold` changed together with the stream position it reached, and the
`*_between` methods read records back for reports and for rebuilding the day.
"""

from realtime_stats.store.database import StoreError
from realtime_stats.store.migrations import MIGRATIONS, Migration, SchemaError
from realtime_stats.store.store import Store, open_store

__all__ = ["MIGRATIONS", "Migration", "SchemaError", "Store", "StoreError", "open_store"]

"""The store: the only part of the package that speaks SQL or imports DuckDB.

:class:`Store` is one database with the project's schema, a DuckDB file or PostgreSQL
(:mod:`whoop.store.backend`); its typed methods come from small single-minded modules:

* :mod:`whoop.store.base`: connections per unit of work, the single writer, transactions, locks
  between processes, the migrations runner (``whoop/store/migrations/``);
* :mod:`whoop.store.records`: athletes, imports in one transaction, the daily table, deletions;
  :mod:`whoop.store.merge` holds the merge rule the upserts follow;
* :mod:`whoop.store.staging`: the temporary DuckDB that stages a big import outside the database;
* :mod:`whoop.store.queries`: what the pages and the CLI read;
* :mod:`whoop.store.settings`: JSON settings per athlete;
* :mod:`whoop.store.connections`: WHOOP connections (encrypted token rows) and OAuth states;
* :mod:`whoop.store.sync_runs`: sync runs, their liveness and end, the facts of a sync status;
* :mod:`whoop.store.sync_passes`: sync passes, seen keys, deletions at WHOOP, the profile;
* :mod:`whoop.store.accounts`: accounts that sign in, and invite links (team deployment);
* :mod:`whoop.store.webhooks`: WHOOP webhook deliveries queued for the worker;
* :mod:`whoop.store.alerts`: each account's alert settings and the alerts sent to it.

A method that takes ``con`` works inside the caller's unit of work (``with store.transaction()
as con:``, several calls in one transaction); the others open their own connection. Callers
outside this package never run SQL on ``con`` (``tests/test_store_boundary.py`` keeps it so).
"""

from __future__ import annotations

from whoop.store.accounts import AccountRow, AccountsMixin, InviteRow
from whoop.store.alerts import AlertSettingsRow, AlertsMixin
from whoop.store.base import MIGRATIONS_DIR, LockTimeout, StoreBase, migrations, utcnow
from whoop.store.budget import BudgetMixin, BudgetTake
from whoop.store.connections import ConnectionsMixin, OAuthState, TokenRow
from whoop.store.queries import QueriesMixin
from whoop.store.records import IMPORT_BYTES_PER_ROW, IMPORT_MEMORY_MB, ImportResult, RecordsMixin
from whoop.store.settings import SettingsMixin
from whoop.store.sync_passes import SyncPassesMixin
from whoop.store.sync_runs import SyncFacts, SyncRunsMixin
from whoop.store.webhooks import QueuedEvent, WebhooksMixin

__all__ = ["IMPORT_BYTES_PER_ROW", "IMPORT_MEMORY_MB", "MIGRATIONS_DIR", "AccountRow", "AlertSettingsRow",
           "BudgetTake", "ImportResult", "InviteRow", "LockTimeout", "OAuthState", "QueuedEvent", "Store",
           "SyncFacts", "TokenRow", "migrations", "utcnow"]


class Store(RecordsMixin, QueriesMixin, SettingsMixin, ConnectionsMixin, SyncRunsMixin, SyncPassesMixin,
            BudgetMixin, AccountsMixin, WebhooksMixin, AlertsMixin, StoreBase):
    """A database with the project's schema, and every typed read and write of it.

    Args:
        location: a DuckDB file or a ``postgresql://`` URL; None -> ``whoop.config.db_location()``.
            Created (a file, with its folder) and migrated on first use.
        busy_timeout_s: how long to wait for another process's lock before DatabaseBusyError.
    """

"""Backfill and incremental sync from the WHOOP API v2 into the store (see ``engine``)."""

from whoop.sync.engine import (ORDER, Progress, SyncOptions, SyncResult, connected_athletes,
                               delete_synced_data, sync_athlete)
from whoop.sync.state import SyncStatus, sync_status

__all__ = ["ORDER", "Progress", "SyncOptions", "SyncResult", "SyncStatus", "connected_athletes",
           "delete_synced_data", "sync_athlete", "sync_status"]

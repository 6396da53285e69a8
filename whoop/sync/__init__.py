"""Backfill and incremental sync from the WHOOP API v2 into the store (see ``engine``)."""

from whoop.sync.delete import delete_athlete, delete_synced_data
from whoop.sync.engine import ORDER, Progress, SyncOptions, SyncResult, connected_athletes, sync_athlete
from whoop.sync.state import SyncStatus, due_athletes, sync_status

__all__ = ["ORDER", "Progress", "SyncOptions", "SyncResult", "SyncStatus", "connected_athletes",
           "delete_athlete", "delete_synced_data", "due_athletes", "sync_athlete", "sync_status"]

"""Settings: JSON values per athlete (athlete 0 = app-wide) in the ``settings`` table."""

from __future__ import annotations

import json
from typing import Any

from whoop.store.base import StoreBase

#: The tail of an ``INSERT INTO settings (athlete_id, key, value_json, updated_at) ...`` that
#: replaces the value of an existing key (both dialects).
UPSERT_SETTING = ("ON CONFLICT (athlete_id, key) DO UPDATE SET value_json = excluded.value_json, "
                  "updated_at = excluded.updated_at")


class SettingsMixin(StoreBase):
    """Settings of :class:`whoop.store.Store`."""

    def get_setting(self, key: str, default: Any = None, *, athlete_id: int = 0) -> Any:
        """A JSON-decoded setting (athlete 0 = app-wide), or ``default``."""
        with self.connect() as con:
            row = con.execute("SELECT value_json FROM settings WHERE athlete_id = ? AND key = ?",
                              [athlete_id, key]).fetchone()
        return json.loads(row[0]) if row else default

    def set_setting(self, key: str, value: object, *, athlete_id: int = 0) -> None:
        """Store a JSON-encodable setting."""
        with self.transaction() as con:
            con.execute("INSERT INTO settings (athlete_id, key, value_json, updated_at) VALUES (?, ?, ?, "
                        f"now()) {UPSERT_SETTING}", [athlete_id, key, json.dumps(value)])

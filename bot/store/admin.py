"""The admin log: who used an admin command, and whether it was allowed."""

from __future__ import annotations

from bot.store.db import Repository


class AdminLog(Repository):
    def log_admin(self, user_id: int, command: str, allowed: bool) -> None:
        with self.db.conn:
            self.db.table("admin_log").insert(
                {
                    "user_id": user_id,
                    "command": command,
                    "allowed": int(allowed),
                    "created_at": self.clock(),
                }
            )

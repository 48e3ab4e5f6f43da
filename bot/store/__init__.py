"""Store: the database and a small set of async functions per aggregate. No SQL in plugins."""

from bot.store.db import Database, DatabaseError, get_db, set_db

__all__ = ["Database", "DatabaseError", "get_db", "set_db"]

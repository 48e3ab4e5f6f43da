"""The database: one async engine, sessions, and schema migrations (alembic over SQLModel metadata).

SQLite (WAL) is the default, in the data dir; PostgreSQL (asyncpg) by DATABASE_URL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


class DatabaseError(Exception):
    """The database cannot be used as configured. One line, for the operator."""


def _alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("bot") / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        try:
            parsed = make_url(url)
        except Exception:
            raise DatabaseError("DATABASE_URL 格式无效（示例：postgresql+asyncpg://user@host/db）") from None
        self.dialect = parsed.get_backend_name()
        if self.dialect not in ("sqlite", "postgresql"):
            raise DatabaseError(f"不支持的数据库 {self.dialect!r}：请使用 SQLite 或 PostgreSQL")
        if self.dialect == "sqlite" and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": self.dialect == "postgresql"}
        self.engine: AsyncEngine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self._sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # Rendered without the password, for /状态 and logs.
        self.display_url = parsed.render_as_string(hide_password=True)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on error."""
        async with self._sessions() as s, s.begin():
            yield s

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())

    async def upgrade(self, revision: str = "head") -> None:
        def run(conn: Connection) -> None:
            command.upgrade(_alembic_config(conn), revision)

        async with self.engine.begin() as conn:
            await conn.run_sync(run)

    async def prepare(self, *, auto_migrate: bool) -> str:
        """Bring the schema to head (or refuse when told not to); return the revision in use."""
        head = head_revision()
        try:
            current = await self.current_revision()
            if current == head:
                return head
            if current is not None and not _is_known_revision(current):
                raise DatabaseError(
                    f"数据库版本 {current} 比本程序新（本程序最高 {head}）：请升级程序，不要降级数据库"
                )
            if not auto_migrate:
                raise DatabaseError(
                    f"数据库需要升级（当前 {current or '空库'}，目标 {head}）："
                    "请运行 python -m bot db upgrade"
                )
            await self.upgrade(head)
            return head
        except SQLAlchemyError as e:
            raise DatabaseError(
                f"无法连接或升级数据库 {self.display_url}：{type(e).__name__}: {e.args[0]}"
            ) from None
        except OSError as e:
            raise DatabaseError(f"无法连接数据库 {self.display_url}：{e}") from None

    async def dispose(self) -> None:
        await self.engine.dispose()


def _is_known_revision(rev: str) -> bool:
    try:
        return ScriptDirectory.from_config(_alembic_config()).get_revision(rev) is not None
    except Exception:
        return False


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


_db: Database | None = None


def set_db(db: Database | None) -> None:
    global _db
    _db = db


def get_db() -> Database:
    if _db is None:
        raise RuntimeError("database not initialised (bot.app.startup has not run)")
    return _db

"""Process settings: NoneBot's own (HOST, PORT, SUPERUSERS, ONEBOT_ACCESS_TOKEN …) plus ours.

Everything comes from the environment or `.env` (NoneBot loads both). Secrets are kept as
`SecretStr` so that they never reach a log line or a repr by accident.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator


class SettingsError(Exception):
    """A setting is missing or malformed. The message is one line, for the operator."""


class StewardSettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    database_url: str = Field(default="", description="SQLAlchemy async URL; empty → SQLite in the data dir")
    steward_data_dir: Path = Path("data")
    steward_policy_file: Path = Path("config/bot.toml")
    steward_holidays_dir: Path = Path("config/holidays")
    steward_secret_key: SecretStr | None = None
    steward_auto_migrate: bool = True
    steward_log_file: bool = True
    # Outbound pacing (see bot/gateway/outbound.py for why these defaults).
    steward_rate_global: float = Field(default=10.0, gt=0, description="actions per second, all groups")
    steward_rate_group: float = Field(default=1.0, gt=0, description="actions per second, one group")
    steward_rate_burst: int = Field(default=5, ge=1)
    steward_action_timeout: float = Field(default=10.0, gt=0)
    steward_action_retries: int = Field(default=3, ge=0, le=10)

    @field_validator("steward_secret_key", mode="before")
    @classmethod
    def _empty_key_is_none(cls, v: Any) -> Any:
        return None if v in ("", None) else v

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        path = (self.steward_data_dir / "steward.db").resolve()
        return f"sqlite+aiosqlite:///{path}"

    @property
    def log_dir(self) -> Path:
        return self.steward_data_dir / "logs"


def load_settings(raw: dict[str, Any]) -> StewardSettings:
    """Build settings from NoneBot's config dict; raise `SettingsError` with one clear line."""
    try:
        return StewardSettings.model_validate(raw)
    except ValidationError as e:
        err = e.errors()[0]
        key = ".".join(str(p) for p in err["loc"]).upper()
        raise SettingsError(f"设置项 {key} 无效：{err['msg']}") from None


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a hostname we cannot vouch for is treated as public


def check_listen_security(host: str, tokens: dict[str, str | None]) -> None:
    """Refuse to serve OneBot on a non-loopback address without an access token (SPEC §11)."""
    if is_loopback(host):
        return
    missing = [name for name, tok in tokens.items() if not tok]
    if missing:
        raise SettingsError(
            f"拒绝启动：HOST={host} 不是本机回环地址，但未设置 OneBot 访问令牌（{', '.join(missing)}）。"
            "请在 .env 中设置 ONEBOT_ACCESS_TOKEN=<随机长字符串>，并在 NapCat 等实现中填写同一令牌；"
            "或把 HOST 改为 127.0.0.1。"
        )

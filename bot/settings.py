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
    # Groups seen for the first time: fetch the member list, onboard existing members, observe first.
    steward_first_sight: bool = True
    # The simulator moves time through event timestamps; a real bot never trusts them for bookkeeping.
    steward_trust_event_time: bool = False
    # WeChat member lists diffed every N seconds (arrivals, departures, groups left); 0 = never.
    steward_wechat_member_poll: float = Field(default=600.0, ge=0)
    steward_log_file: bool = True
    # The dashboard's public address (e.g. https://steward.example.gov.cn), used in links from chat.
    steward_web_url: str = ""
    # Outbound pacing (see bot/gateway/outbound.py for why these defaults).
    steward_rate_global: float = Field(default=10.0, gt=0, description="actions per second, all groups")
    steward_rate_group: float = Field(default=1.0, gt=0, description="actions per second, one group")
    steward_rate_burst: int = Field(default=5, ge=1)
    steward_action_timeout: float = Field(default=10.0, gt=0)
    steward_action_retries: int = Field(default=3, ge=0, le=10)
    # The intake matcher's NoneBot priority: in a host bot, raise it above the host's own matchers
    # to let theirs see each event first (lower numbers run first).
    steward_intake_priority: int = Field(default=1, ge=0)
    # Reliability (README "Reliability"): backoff base (1, 2, 4 s …), the wait per recall/mute attempt,
    # the recalls' own pace, how long a recall may be redone after a reconnect, how long other actions
    # wait for one, and how long failures are gathered into one report to the owner.
    steward_action_backoff: float = Field(default=1.0, gt=0)
    steward_urgent_timeout: float = Field(default=5.0, gt=0)
    steward_rate_recall: float = Field(default=5.0, gt=0, description="recalls per second, one group")
    steward_recall_burst: int = Field(default=20, ge=1)
    steward_recall_window: float = Field(default=120.0, gt=0)
    steward_offline_hold: float = Field(default=600.0, gt=0)
    steward_failure_report_window: float = Field(default=60.0, gt=0)

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


# The expected form of the settings an operator is most likely to get wrong (NoneBot's own and the
# OneBot adapter's included); any other key is described by its type.
_EXPECTED = {
    "host": "IP 地址，例如 HOST=127.0.0.1",
    "port": "1–65535 的整数，例如 PORT=8080",
    "driver": "NoneBot 驱动器组合，例如 DRIVER=~fastapi（反向 WebSocket）、DRIVER=~fastapi+~websockets"
    "（加正向 WebSocket）或 DRIVER=~fastapi+~httpx（加 HTTP）",
    "log_level": "日志级别 TRACE、DEBUG、INFO、SUCCESS、WARNING、ERROR 或 CRITICAL",
    "superusers": 'JSON 字符串数组，例如 SUPERUSERS=["10001"]',
    "nickname": 'JSON 字符串数组，例如 NICKNAME=["管家"]',
    "command_start": 'JSON 字符串数组，例如 COMMAND_START=["/"]',
    "command_sep": 'JSON 字符串数组，例如 COMMAND_SEP=["."]',
    "api_timeout": "秒数，例如 API_TIMEOUT=30",
    "onebot_api_roots": 'JSON 对象（账号 → HTTP 地址），例如 ONEBOT_API_ROOTS={"10001": "http://127.0.0.1:3000"}',
    "onebot_ws_urls": 'JSON 字符串数组，例如 ONEBOT_WS_URLS=["ws://127.0.0.1:3001"]',
}
_BY_TYPE = {
    "int": "整数",
    "float": "数字",
    "bool": "true 或 false",
    "dict": "JSON 对象",
    "list": "JSON 数组",
    "set": "JSON 数组",
    "url": "网址，例如 http://127.0.0.1:3000",
    "ip": "IP 地址，例如 127.0.0.1",
}


def _expected(key: str, error_type: str = "") -> str:
    k = key.lower()
    for prefix in ("onebot_v11_", "onebot_v12_"):
        if k.startswith(prefix):
            k = "onebot_" + k[len(prefix) :]
    if k in _EXPECTED:
        return _EXPECTED[k]
    for fragment, text in _BY_TYPE.items():
        if fragment in error_type:
            return text
    return "见 README 的设置说明"


def settings_error_line(error: BaseException) -> str | None:
    """One Chinese line naming the key and the expected form, for a malformed setting that NoneBot,
    its adapters or we reject at start-up (they raise different things); None when `error` is not
    about a setting. The value is never shown: it may be a token."""
    import re

    from nonebot.config import SettingsError as NoneBotSettingsError

    key: str | None = None
    kind = ""
    if isinstance(error, NoneBotSettingsError):  # a complex value that is not JSON
        found = re.search(r'env var "([^"]+)"', str(error))
        key = found.group(1) if found else None
    elif isinstance(error, ValidationError):
        err = error.errors()[0]
        key = str(err["loc"][0]) if err["loc"] else None
        kind = str(err.get("type", ""))
    elif isinstance(error, ValueError) and str(error).startswith("Level "):  # loguru, via NoneBot
        key = "log_level"
    elif isinstance(error, ImportError) and "nonebot.drivers" in str(error):
        key = "driver"
    if key is None:
        return None
    return f"设置项 {key.upper()} 的值无效：应为{_expected(key, kind)}。请修改 .env 或环境变量后重新启动。"


def check_log_level(level: Any) -> None:
    """NoneBot hands LOG_LEVEL to loguru on every log line: an unknown level would raise there."""
    from loguru import logger

    if isinstance(level, int) and not isinstance(level, bool):
        return
    try:
        logger.level(str(level))  # loguru's names are upper case; NoneBot passes the value as is
    except ValueError:
        raise SettingsError(
            f"设置项 LOG_LEVEL 的值无效：应为{_EXPECTED['log_level']}。请修改 .env 或环境变量后重新启动。"
        ) from None


def _describe(e: ValidationError) -> str:
    return settings_error_line(e) or str(e)


def load_settings(raw: dict[str, Any]) -> StewardSettings:
    """Build settings from NoneBot's config dict; raise `SettingsError` with one clear line."""
    try:
        return StewardSettings.model_validate(raw)
    except ValidationError as e:
        raise SettingsError(_describe(e)) from None


def plugin_settings() -> StewardSettings:
    """Our settings the NoneBot way (`get_plugin_config`): `nonebot.init` arguments, then the
    environment, then `.env` / `.env.{ENVIRONMENT}`. Every key declared here is read from the
    environment even when no `.env` names it. Raises `SettingsError` with one clear line."""
    from nonebot import get_plugin_config

    try:
        return get_plugin_config(StewardSettings)
    except ValidationError as e:
        raise SettingsError(_describe(e)) from None


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a hostname we cannot vouch for is treated as public


def credential(value: Any) -> str | None:
    """A configured token or secret: blank or whitespace counts as none (a token of spaces is no
    protection at all, and an operator who writes `ONEBOT_ACCESS_TOKEN=` means "not set")."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def onebot_token(cfg: Any, protocol: str) -> str | None:
    """The access token the OneBot `protocol` ("v11" / "v12") route enforces: its own key
    (ONEBOT_V11_ACCESS_TOKEN …) when set, else the shared ONEBOT_ACCESS_TOKEN. `cfg` is NoneBot's
    config object (or anything with those attributes); the adapters and the start-up check both
    read the token here, so they cannot disagree."""
    own = credential(getattr(cfg, f"onebot_{protocol}_access_token", None))
    return own or credential(getattr(cfg, "onebot_access_token", None))


def onebot_secret(cfg: Any) -> str | None:
    """The v11 HTTP POST signature secret (ONEBOT_V11_SECRET, else ONEBOT_SECRET)."""
    own = credential(getattr(cfg, "onebot_v11_secret", None))
    return own or credential(getattr(cfg, "onebot_secret", None))


class OneBotCredentials(BaseModel):
    """The OneBot keys, read the way the stock adapters read their config (`get_plugin_config`):
    from `nonebot.init` arguments, the environment or `.env`, even when no `.env` names them."""

    model_config = ConfigDict(extra="ignore")

    onebot_access_token: str | None = None
    onebot_v11_access_token: str | None = None
    onebot_v12_access_token: str | None = None
    onebot_secret: str | None = None
    onebot_v11_secret: str | None = None


def onebot_credentials() -> OneBotCredentials:
    from nonebot import get_plugin_config

    return get_plugin_config(OneBotCredentials)


def listen_tokens(cfg: Any) -> dict[str, str | None]:
    return {"OneBot v11": onebot_token(cfg, "v11"), "OneBot v12": onebot_token(cfg, "v12")}


def check_listen_security(host: str, tokens: dict[str, str | None]) -> None:
    """Refuse to serve OneBot on a non-loopback address without an access token (SPEC §11).

    Every route that takes events checks it: the WebSockets require the token; the HTTP POST
    intake (served only in HTTP mode, see bot/intake/adapters.py) requires the token or the
    ONEBOT_SECRET signature. A signature secret alone does not open a public address: the
    WebSocket routes are always served and would be open.
    """
    if is_loopback(host):
        return
    missing = [name for name, tok in tokens.items() if not credential(tok)]
    if missing:
        raise SettingsError(
            f"拒绝启动：HOST={host} 不是本机回环地址，但未设置 OneBot 访问令牌（{', '.join(missing)}），"
            "任何能访问该端口的人都能冒充 QQ / 微信发来事件。"
            "请在 .env 中设置 ONEBOT_ACCESS_TOKEN=<随机长字符串>（空白不算令牌），"
            "并在 NapCat 等实现中填写同一令牌；"
            "或把 HOST 改为 127.0.0.1。"
        )

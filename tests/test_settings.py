import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.settings import (
    SettingsError,
    check_listen_security,
    is_loopback,
    load_settings,
    settings_error_line,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "127.0.0.53"])
def test_loopback_needs_no_token(host: str) -> None:
    assert is_loopback(host)
    check_listen_security(host, {"OneBot v11": None})


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "bot.example.org"])
def test_public_address_without_token_refuses(host: str) -> None:
    with pytest.raises(SettingsError, match="ONEBOT_ACCESS_TOKEN"):
        check_listen_security(host, {"OneBot v11": "x", "OneBot v12": ""})


def test_public_address_with_tokens_is_fine() -> None:
    check_listen_security("0.0.0.0", {"OneBot v11": "t", "OneBot v12": "t"})


def test_bad_setting_names_the_key() -> None:
    with pytest.raises(SettingsError, match="STEWARD_RATE_GROUP"):
        load_settings({"steward_rate_group": "fast"})


def test_secret_key_is_not_in_repr() -> None:
    s = load_settings({"steward_secret_key": "very-secret-value"})
    assert "very-secret-value" not in repr(s) and "very-secret-value" not in str(s.model_dump())
    assert s.steward_secret_key is not None
    assert s.steward_secret_key.get_secret_value() == "very-secret-value"


def test_default_database_is_sqlite_in_data_dir() -> None:
    s = load_settings({})
    assert s.resolved_database_url().startswith("sqlite+aiosqlite:///")
    assert s.resolved_database_url().endswith("/data/steward.db")


@pytest.mark.parametrize("blank", ["", "   ", "\t", " \n "])
def test_blank_token_counts_as_none(blank: str) -> None:
    with pytest.raises(SettingsError, match="OneBot v11"):
        check_listen_security("0.0.0.0", {"OneBot v11": blank, "OneBot v12": "t"})


def test_protocol_token_falls_back_to_the_shared_one_when_blank() -> None:
    from types import SimpleNamespace

    from bot.settings import listen_tokens, onebot_secret, onebot_token

    cfg = SimpleNamespace(
        onebot_access_token=" shared ", onebot_v11_access_token="  ", onebot_v12_access_token="v12"
    )
    assert onebot_token(cfg, "v11") == "shared" and onebot_token(cfg, "v12") == "v12"
    blank = SimpleNamespace(onebot_access_token="   ")
    assert listen_tokens(blank) == {"OneBot v11": None, "OneBot v12": None}
    assert onebot_secret(SimpleNamespace(onebot_secret=" ", onebot_v11_secret=None)) is None
    assert onebot_secret(SimpleNamespace(onebot_v11_secret="s")) == "s"


# --- malformed settings, NoneBot's own included: one Chinese line, no traceback ----------------


@pytest.mark.parametrize(
    ("env", "key", "form"),
    [
        ({"PORT": "abc"}, "PORT", "整数"),
        ({"SUPERUSERS": "notjson"}, "SUPERUSERS", 'SUPERUSERS=["10001"]'),
        ({"LOG_LEVEL": "debug"}, "LOG_LEVEL", "DEBUG"),
        ({"ONEBOT_API_ROOTS": "notjson"}, "ONEBOT_API_ROOTS", "JSON 对象"),
    ],
)
def test_malformed_setting_stops_start_up_with_one_line(
    env: dict[str, str], key: str, form: str, tmp_path: Path
) -> None:
    """The real start-up (`python -m bot run`) in a clean directory: exit code 2, and stderr is one
    line naming the key and the expected form, never a traceback."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ONEBOT_", "STEWARD_", "LOG_"))}
    clean.update({"PYTHONPATH": str(ROOT), "STEWARD_DATA_DIR": str(tmp_path / "data"), **env})
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert lines[-1].startswith("工作群管家无法启动：设置项 " + key), lines[-1]
    assert form in lines[-1]
    assert not [line for line in lines if "Error" in line], lines


def test_other_nonebot_errors_are_described() -> None:
    from nonebot.config import Config

    with pytest.raises(ValidationError) as err:
        Config(_env_file=None, host="not an address")  # type: ignore[call-arg]
    assert "HOST" in (settings_error_line(err.value) or "") and "IP 地址" in (
        settings_error_line(err.value) or ""
    )
    line = settings_error_line(ModuleNotFoundError("No module named 'nonebot.drivers.nope'"))
    assert line is not None and "DRIVER" in line and "~fastapi+~httpx" in line
    assert settings_error_line(RuntimeError("unrelated")) is None

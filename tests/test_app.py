"""Start-up helpers: SUPERUSERS in both of NoneBot's forms, settings through get_plugin_config."""

from __future__ import annotations

import pytest

from bot.app import normalise_superusers
from bot.settings import onebot_credentials, plugin_settings


def test_superusers_with_or_without_the_onebot_prefix() -> None:
    assert normalise_superusers(["onebot:123", "456", " OneBot:789 ", 1001, ""]) == {
        "123",
        "456",
        "789",
        "1001",
    }
    # Another adapter's prefix is not ours: kept as written (it can never match a OneBot user id).
    assert normalise_superusers(["qq:123"]) == {"qq:123"}


def test_settings_read_from_the_environment_without_env_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STEWARD_RATE_BURST", "7")
    monkeypatch.setenv("ONEBOT_V12_ACCESS_TOKEN", "from-env")
    # nonebot.init arguments (the test session's) still win over the environment.
    assert plugin_settings().steward_rate_burst == 1000
    monkeypatch.setenv("STEWARD_ACTION_TIMEOUT", "3.5")
    assert plugin_settings().steward_action_timeout == 2
    monkeypatch.setenv("STEWARD_INTAKE_PRIORITY", "40")
    assert plugin_settings().steward_intake_priority == 40
    assert onebot_credentials().onebot_v12_access_token == "from-env"

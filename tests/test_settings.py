import pytest

from bot.settings import SettingsError, check_listen_security, is_loopback, load_settings


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

"""OneBot adapters with a repairing, counting event parser.

We subclass rather than monkeypatch: the app registers these classes instead of the stock ones.
An event that still cannot be understood is logged with its type and the failing fields — never its
content, which may carry personal data — and counted for /状态.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from loguru import logger
from nonebot.adapters.onebot.v11 import Adapter as V11Adapter
from nonebot.adapters.onebot.v11 import Event as V11Event
from nonebot.adapters.onebot.v12 import Adapter as V12Adapter
from nonebot.adapters.onebot.v12 import Event as V12Event
from nonebot.adapters.onebot.v12.utils import flattened_to_nested
from nonebot.compat import type_validate_python
from pydantic import ValidationError

from bot.intake.payloads import event_kind, sanitize_v11, sanitize_v12
from bot.intake.stats import stats


def _why(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['type']}" for err in e.errors()[:3])
    return type(e).__name__


def _parse(models: Iterable[type], base: type, data: dict[str, Any]) -> Any:
    """Try the models from most to least specific; a fallback means the payload did not fit."""
    first_error: Exception | None = None
    chosen = None
    try:
        models = list(models)
    except Exception as e:  # the model lookup itself rejects payloads lacking their type keys
        models, first_error = [], e
    for model in models:
        try:
            chosen = type_validate_python(model, data)
            break
        except Exception as e:
            first_error = first_error or e  # the most specific model's error says the most
    kind = event_kind(data)
    stats.events[kind] += 1
    if first_error is not None:
        stats.unparsed[kind] += 1
        logger.warning(f"unparsed OneBot event {kind}: {_why(first_error)}")
    if chosen is None:
        try:
            chosen = type_validate_python(base, data)
        except Exception:
            return None
    return chosen


class StewardV11Adapter(V11Adapter):
    @classmethod
    def json_to_event(cls, json_data: Any) -> V11Event | None:  # type: ignore[override]
        if not isinstance(json_data, dict):
            return None
        if "post_type" not in json_data:
            cls._result_store.add_result(json_data)
            return None
        data = sanitize_v11(json_data)
        if data.get("post_type") == "message_sent":
            stats.self_sent += 1  # NapCat reports the bot's own messages; nothing to act on
            return None
        return _parse(cls.get_event_model(data), V11Event, data)


class StewardV12Adapter(V12Adapter):
    @classmethod
    def json_to_event(cls, json_data: Any, impl: str | None = None) -> V12Event | None:  # type: ignore[override]
        if not isinstance(json_data, dict):
            return None
        data = flattened_to_nested(json_data)
        if "type" not in data:
            cls._result_store.add_result(data)
            return None
        data = sanitize_v12(data)
        return _parse(cls.get_event_model(data, impl), V12Event, data)

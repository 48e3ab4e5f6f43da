"""Ordinary work-group messages pass the whole content pass untouched (every rule, one group,
repeats and flooding on, each message from its own sender, one a minute)."""

from __future__ import annotations

from datetime import timedelta

from bot.core.guard import ContentGuard, GuardInput
from tests.core.text.test_text_office_messages import office_messages
from tests.guard.conftest import T0, config


def test_office_messages_pass_every_rule() -> None:
    guard = ContentGuard()
    cfg = config()
    flagged = {}
    for n, text in enumerate(office_messages()):
        msg = GuardInput(text, group_id="g", user_id=str(n), message_id=str(n), at=T0 + timedelta(minutes=n))
        found = guard.check(msg, cfg)
        if found:
            flagged[text] = [f.kind for f in found]
    assert flagged == {}

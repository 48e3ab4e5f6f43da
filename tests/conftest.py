"""Test set-up: nonebug initialises NoneBot once per session; we then build and start the runtime on
a temporary SQLite database, with generous rate limits so that tests are not paced."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from nonebug import NONEBOT_INIT_KWARGS

from tests.utils import POLICY_FILE

_TMP = Path(tempfile.mkdtemp(prefix="steward-test-"))


def pytest_configure(config: pytest.Config) -> None:
    config.stash[NONEBOT_INIT_KWARGS] = {
        "superusers": {"10001"},
        "log_level": "WARNING",
        "steward_data_dir": str(_TMP),
        "steward_log_file": False,
        "steward_policy_file": str(POLICY_FILE),
        "steward_rate_global": 1000,
        "steward_rate_group": 1000,
        "steward_rate_burst": 1000,
        "steward_action_timeout": 2,
        # Retries are tested on their own queues; here a failed action (e.g. to a fake account a
        # test has already removed) must not linger in the shared queue for seconds.
        "steward_action_retries": 0,
        # First sight of a group (onboarding, observe-only days) is tested on its own; the other
        # tests meet their groups as already known.
        "steward_first_sight": False,
        # Tests move time through event timestamps, as the simulator does; the clock-sanity tests
        # switch this off (bot/intake/clock.py).
        "steward_trust_event_time": True,
        # Failure reports are sent by the tests that look at them (FailureDigest.flush); a timer
        # must not post one into a later test's fake account.
        "steward_failure_report_window": 3600,
        # Actions to a fake account a test has removed are held "until it reconnects": not long,
        # or a later test's account would receive them.
        "steward_offline_hold": 0.01,
    }


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
async def after_nonebot_init(after_nonebot_init: None) -> AsyncIterator[None]:
    from bot.app import setup
    from bot.core.crypto import PersonalDataCipher, generate_key
    from bot.models.sealed import use_cipher

    # Sealed columns (suggestions, notices …) encrypt as in a deployment with a personal-data key;
    # tests of the keyless (masking) mode switch it off themselves.
    use_cipher(PersonalDataCipher(generate_key()))
    rt = setup()
    await rt.start()
    yield
    await rt.stop()


@pytest.fixture(autouse=True)
async def _forget_stored_roles() -> AsyncIterator[None]:
    """Roles are remembered in the database; each test starts from the roles it sets itself (the
    role book's in-memory notes are the tests' own business, as before)."""
    yield
    from sqlalchemy import delete

    from bot.dispatch.roles import role_book
    from bot.models.dayone import MemberRole
    from bot.store.db import get_db

    try:
        db = get_db()
    except RuntimeError:
        return
    async with db.session() as s:
        await s.execute(delete(MemberRole))
    role_book.load([])

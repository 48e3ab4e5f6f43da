"""The process's live parts, built once at start-up and shared by the plugins."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

from loguru import logger

from bot.core.calendar import DayCalendar, WorkCalendar, WorkingHours
from bot.gateway.actions import Actions
from bot.gateway.failures import FailureDigest, Incident, failure_reason
from bot.gateway.outbound import Action, OutboundQueue
from bot.gateway.registry import GatewayRegistry
from bot.heartbeat import Account, Heartbeat
from bot.intake.clock import trust_event_time
from bot.policy import Policy
from bot.settings import StewardSettings
from bot.store import audit
from bot.store.db import Database, set_db


def bot_version() -> str:
    try:
        return version("work-group-steward")
    except PackageNotFoundError:
        return "0.0.0+src"


@dataclass
class Runtime:
    settings: StewardSettings
    policy: Policy
    superusers: frozenset[str]
    days: DayCalendar = field(default_factory=DayCalendar)
    registry: GatewayRegistry = field(default_factory=GatewayRegistry)
    db: Database | None = None
    queue: OutboundQueue | None = None
    db_revision: str = ""
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: str = field(default_factory=bot_version)
    #: loaded into someone else's NoneBot bot (not `python -m bot` / `nb run`): unknown commands are
    #: left to the host, and the host's logging is left alone
    embedded: bool = False
    failures: FailureDigest | None = None
    _actions: Actions | None = None
    _heartbeat: Heartbeat | None = None
    _calendars: dict[tuple[str, str], WorkCalendar] = field(default_factory=dict)

    def calendar(self, group_id: str = "") -> WorkCalendar:
        """The work calendar with this group's working hours (preset, overrides)."""
        preset = self.policy.for_group(group_id).preset
        key = (preset.working_hours, preset.lunch_break)
        cal = self._calendars.get(key)
        if cal is None:
            hours = WorkingHours.parse(preset.working_hours, lunch=preset.lunch_break or None)
            cal = self._calendars[key] = WorkCalendar(self.days, hours)
        return cal

    @property
    def actions(self) -> Actions:
        if self._actions is None:
            raise RuntimeError("runtime not started")
        return self._actions

    async def start(self) -> None:
        if self.db is not None:
            return  # already started (tests may trigger the driver's startup hooks twice)
        s = self.settings
        trust_event_time(s.steward_trust_event_time)
        self.db = Database(s.resolved_database_url())
        self.db_revision = await self.db.prepare(auto_migrate=s.steward_auto_migrate)
        set_db(self.db)
        self.queue = OutboundQueue(
            rate_global=s.steward_rate_global,
            rate_group=s.steward_rate_group,
            burst=s.steward_rate_burst,
            timeout=s.steward_action_timeout,
            retries=s.steward_action_retries,
            backoff=s.steward_action_backoff,
            rate_recall=s.steward_rate_recall,
            burst_recall=s.steward_recall_burst,
            hold=s.steward_offline_hold,
            is_online=self.registry.online,
        )
        self.queue.on_failure(_audit_failure)
        self.failures = FailureDigest(self._report_failures, window=s.steward_failure_report_window)
        self.queue.on_failure(self.failures)
        self.queue.start()
        self._actions = Actions(
            self.registry,
            self.queue,
            recall_window=s.steward_recall_window,
            urgent_timeout=s.steward_urgent_timeout,
        )
        self._heartbeat = Heartbeat(s.steward_data_dir, self.version, self._accounts)
        self._heartbeat.start()
        for year in self.calendar().unofficial_years_ahead(datetime.now(UTC)):
            logger.warning(f"work calendar: {year.describe()} — add config/holidays/{year.year}.toml")
        logger.info(
            f"steward {self.version} ready: database {self.db.display_url} at revision {self.db_revision}"
        )

    def _accounts(self) -> list[Account]:
        return [
            Account(c.gateway.platform, c.gateway.self_id, c.since.isoformat())
            for c in self.registry.connections()
        ]

    async def _report_failures(self, inc: Incident) -> None:
        """Tell the group's owner privately (the unit's supervisors, else the operators, when no
        owner is known), and audit that the report went out."""
        spec = self.policy.spec.groups.get(inc.group_id)
        group = (
            f"「{spec.name}」（{inc.group_id}）" if spec is not None and spec.name else f"群 {inc.group_id}"
        )
        owner = await self._owner(inc.platform, inc.group_id)
        if owner:
            targets = [owner]
        else:
            gp = self.policy.for_group(inc.group_id)
            targets = sorted(gp.supervisors) or sorted(self.superusers)
        text = inc.describe(group)
        for target in targets:
            self.actions.send_private(inc.platform, "", target, text, report=False)
        await audit.record(
            "action.failure_reported",
            platform=inc.platform,
            group_id=inc.group_id,
            target=",".join(targets),
            reason=f"{inc.total} 项操作失败，已报告{'群主' if owner else '监管单位或运维人员'}",
            detail={"counts": dict(inc.counts), "reasons": dict(inc.reasons), "owner_known": bool(owner)},
        )

    async def _owner(self, platform: str, group_id: str) -> str | None:
        """The group's owner from the platform's member list; None when it cannot be had quickly
        (the implementation that failed the actions may fail this too)."""
        try:
            gw = self.registry.for_group(platform, group_id)
            members = await asyncio.wait_for(gw.member_list(group_id), self.settings.steward_urgent_timeout)
        except Exception:
            return None
        return next((m.user_id for m in members if m.role == "owner"), None)

    async def stop(self) -> None:
        if self._heartbeat:
            await self._heartbeat.stop()
            self._heartbeat = None
        if self.failures:
            # Bounded: with the platform offline a report is held for the reconnect, and stop() of the
            # queue (which settles held actions) comes after this.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.failures.flush(), FLUSH_TIMEOUT)
        if self.queue:
            await self.queue.stop()
        if self.db:
            await self.db.dispose()
        set_db(None)


async def _audit_failure(action: Action, error: BaseException) -> None:
    await audit.record(
        "action.failed",
        platform=action.platform,
        group_id=action.group_id,
        target=action.target,
        reason=f"{action.kind} 在 {action.attempts} 次尝试后失败",
        detail={
            "kind": action.kind,
            "error": type(error).__name__,
            "retcode": getattr(error, "retcode", None),
            "cause": failure_reason(error),
        },
    )


FLUSH_TIMEOUT = 3.0
"""Seconds the shutdown waits for the last failure reports."""

_runtime: Runtime | None = None


def set_runtime(rt: Runtime | None) -> None:
    global _runtime
    _runtime = rt


def get_runtime() -> Runtime:
    if _runtime is None:
        raise RuntimeError("runtime not initialised")
    return _runtime

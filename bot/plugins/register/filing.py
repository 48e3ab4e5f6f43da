"""Filling in a filing: storing answers (personal data encrypted), completing it, updates and
confirmations after a change, the dissolution duty of temporary groups, and the filing as text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.core.calendar import to_local
from bot.core.register import (
    FIELD_SPECS,
    FilingField,
    GroupKind,
    dissolve_deadline,
    dissolve_starts,
    missing_fields,
)
from bot.models.register import DutyKind, DutyState, Filing, FilingStatus
from bot.plugins.register.common import (
    cipher,
    filing_label,
    group_ready,
    tell_supervisors,
    unit_name,
)
from bot.plugins.register.lifecycle import activity_of, wake
from bot.plugins.register.texts import DUTY_LABELS, day_text, when
from bot.runtime import Runtime
from bot.store import audit, cases
from bot.store import register as store

_TEXT_ATTR = {
    FilingField.NAME: "name",
    FilingField.DEPT: "dept",
    FilingField.MATTER: "matter",
    FilingField.ENTRY: "entry",
    FilingField.RULES: "rules",
}
STATUS_LABELS = {
    FilingStatus.UNFILED: "未备案",
    FilingStatus.FILED: "已备案",
    FilingStatus.DEREGISTERED: "已注销",
}


def kind_of(filing: Filing) -> GroupKind | None:
    return GroupKind(filing.kind) if filing.kind else None


def present(filing: Filing) -> dict[FilingField, bool]:
    return {
        FilingField.NAME: bool(filing.name),
        FilingField.DEPT: bool(filing.dept),
        FilingField.MATTER: bool(filing.matter),
        FilingField.KIND: bool(filing.kind),
        FilingField.END_DATE: filing.end_date is not None or filing.end_undecided,
        FilingField.ENTRY: bool(filing.entry),
        FilingField.RULES: bool(filing.rules),
        FilingField.OWNER: bool(filing.owner_name_enc),
        FilingField.CONTACT: bool(filing.contact_enc),
    }


def missing(rt: Runtime, filing: Filing) -> list[FilingField]:
    return missing_fields(present(filing), kind_of(filing), personal_ok=cipher(rt) is not None)


def personal(rt: Runtime, filing: Filing) -> tuple[str, str]:
    """The owner's name and contact in plain text ("" when absent or unreadable). Never log these."""
    return store.personal_of(filing, cipher(rt))


def masked_personal(rt: Runtime, filing: Filing) -> tuple[str, str]:
    return store.masked_of(filing, cipher(rt))


async def save(
    rt: Runtime, filing: Filing, values: Mapping[FilingField, Any], at: datetime
) -> list[FilingField]:
    """Store answers; returns the fields whose value changed. Personal values are encrypted (and
    dropped when no key is configured — the caller has told the user)."""
    c = cipher(rt)
    current_owner, current_contact = personal(rt, filing)
    updates: dict[str, Any] = {}
    changed: list[FilingField] = []
    for f, value in values.items():
        if f in _TEXT_ATTR:
            attr = _TEXT_ATTR[f]
            if getattr(filing, attr) != value:
                updates[attr] = value
                changed.append(f)
        elif f is FilingField.KIND:
            if filing.kind != str(value):
                updates["kind"] = str(value)
                changed.append(f)
        elif f is FilingField.END_DATE:
            undecided = value is None
            if filing.end_date != value or filing.end_undecided != undecided:
                updates.update(end_date=value, end_undecided=undecided)
                changed.append(f)
        elif f is FilingField.OWNER and c is not None:
            if value != current_owner:
                updates["owner_name_enc"] = c.encrypt(str(value), context=store.OWNER_CONTEXT)
                changed.append(f)
        elif f is FilingField.CONTACT and c is not None:
            if value != current_contact:
                updates["contact_enc"] = c.encrypt(str(value), context=store.CONTACT_CONTEXT)
                changed.append(f)
    if updates:
        updates["updated_at"] = at
        assert filing.id is not None
        await store.update_filing(filing.id, updates)
        for attr, value in updates.items():
            setattr(filing, attr, value)
    return changed


async def finish(rt: Runtime, filing: Filing, changed: list[FilingField], actor: str, at: datetime) -> str:
    """After answers were saved: ``filed`` (now complete), ``updated`` (a filed group changed),
    ``incomplete`` or ``unchanged``. Keeps the dissolution duty in step with kind and end date."""
    if FilingField.KIND in changed or FilingField.END_DATE in changed:
        await schedule_dissolve(rt, filing, at)
    if filing.status == FilingStatus.UNFILED:
        if missing(rt, filing):
            return "incomplete"
        await mark_filed(rt, filing, actor, at)
        return "filed"
    if filing.status == FilingStatus.FILED and changed:
        await mark_updated(rt, filing, [FIELD_SPECS[f].label for f in changed], actor, at)
        return "updated"
    return "unchanged"


async def mark_filed(rt: Runtime, filing: Filing, actor: str, at: datetime) -> bool:
    """Complete the filing: the platform's current name and owner become the reference for changes."""
    assert filing.id is not None
    values = {
        "status": FilingStatus.FILED,
        "filed_at": at,
        "filed_by": actor,
        "updated_at": at,
        "filed_platform_name": filing.observed_name,
        "filed_owner_id": filing.owner_id,
    }
    if not await store.update_filing(filing.id, values, only_status=(FilingStatus.UNFILED,)):
        return False
    for attr, value in values.items():
        setattr(filing, attr, value)
    duty = await store.close_duty(
        filing.platform, filing.group_id, DutyKind.FILE, DutyState.DONE, at, note="已备案"
    )
    late = duty is not None and duty.late
    if duty is not None:
        await cases.close_open_cases(
            filing.platform, filing.group_id, actor, "已完成备案", at, ref=f"duty:{duty.id}"
        )
    await store.add_history(filing.id, "filed", at, actor=actor)
    await audit.record(
        "register.filed",
        actor=actor,
        platform=filing.platform,
        group_id=filing.group_id,
        rule="filing",
        reason="完成工作群备案" + ("（超过备案期限）" if late else ""),
        detail={"filing": filing.id, "late": late},
    )
    if group_ready(rt, filing.platform, filing.group_id):
        tell_supervisors(
            rt,
            filing,
            f"{unit_name(rt, filing.group_id)} {filing_label(rt, filing)}已完成备案"
            + ("（超过期限）" if late else "")
            + f"：{brief(filing)}。详情可发送 /备案 列表 或 /备案 导出。",
        )
    return True


async def mark_updated(
    rt: Runtime, filing: Filing, changed: list[str], actor: str, at: datetime, *, confirmed: bool = False
) -> None:
    """A filed group's filing changed (or its owner confirmed it after a detected change)."""
    assert filing.id is not None
    await store.update_filing(
        filing.id,
        {"filed_platform_name": filing.observed_name, "filed_owner_id": filing.owner_id, "updated_at": at},
    )
    filing.filed_platform_name, filing.filed_owner_id, filing.updated_at = (
        filing.observed_name,
        filing.owner_id,
        at,
    )
    duty = await store.close_duty(
        filing.platform, filing.group_id, DutyKind.REFILE, DutyState.DONE, at, note="已变更备案"
    )
    if duty is not None:
        await cases.close_open_cases(
            filing.platform, filing.group_id, actor, "已变更备案", at, ref=f"duty:{duty.id}"
        )
    what = "、".join(changed) or (duty.detail if duty is not None else "")
    await store.add_history(
        filing.id, "confirmed" if confirmed else "updated", at, actor=actor, changed=changed
    )
    await audit.record(
        "register.updated",
        actor=actor,
        platform=filing.platform,
        group_id=filing.group_id,
        rule="filing",
        reason=("确认备案信息" if confirmed else "变更备案信息") + (f"：{what}" if what else ""),
        detail={"filing": filing.id, "duty": duty.id if duty is not None else None},
    )
    if group_ready(rt, filing.platform, filing.group_id) and (what or duty is not None):
        verb = "已确认备案信息" if confirmed else "已变更备案"
        tell_supervisors(
            rt,
            filing,
            f"{unit_name(rt, filing.group_id)} {filing_label(rt, filing)}{verb}"
            + (f"（{what}）" if what else "")
            + "。",
        )


async def schedule_dissolve(rt: Runtime, filing: Filing, at: datetime) -> datetime | None:
    """Open, move or cancel the dissolution duty to match the filing's kind and end date; returns its
    deadline (None when the group has none)."""
    kind = kind_of(filing)
    duty = await store.get_open_duty(filing.platform, filing.group_id, DutyKind.DISSOLVE)
    if kind is None or not kind.ends or filing.end_date is None:
        if duty is not None:
            await store.close_duty(
                filing.platform,
                filing.group_id,
                DutyKind.DISSOLVE,
                DutyState.CANCELLED,
                at,
                note="结束日期已取消",
            )
        return None
    preset = rt.policy.for_group(filing.group_id).preset
    cal = rt.calendar(filing.group_id)
    due = dissolve_deadline(filing.end_date, preset.temporary_dissolve_days, cal)
    if duty is not None and duty.due_at == due:
        return due
    if duty is not None:
        await store.close_duty(
            filing.platform, filing.group_id, DutyKind.DISSOLVE, DutyState.CANCELLED, at, note="结束日期变更"
        )
        await cases.close_open_cases(
            filing.platform, filing.group_id, "bot", "结束日期变更", at, ref=f"duty:{duty.id}"
        )
    await store.open_duty(
        store.NewDuty(
            filing.platform,
            filing.group_id,
            DutyKind.DISSOLVE,
            opened_at=at,
            starts_at=dissolve_starts(filing.end_date, cal),
            due_at=due,
            detail=f"结束日期 {filing.end_date.isoformat()}",
        )
    )
    wake()
    return due


# --- as text ----------------------------------------------------------------------------------


def end_text(filing: Filing) -> str:
    kind = kind_of(filing)
    if kind is None:
        return ""
    if not kind.ends:
        return kind.label
    end = day_text(filing.end_date) if filing.end_date else ("未定" if filing.end_undecided else "未填写")
    return f"{kind.label}（结束日期 {end}）"


def brief(filing: Filing) -> str:
    """「归属科室 办公室，服务事项 …，常设」 — no personal data."""
    parts = [
        f"归属科室 {filing.dept}" if filing.dept else "",
        f"服务事项 {filing.matter}" if filing.matter else "",
        end_text(filing),
    ]
    return "，".join(p for p in parts if p)


async def filing_text(rt: Runtime, filing: Filing, now: datetime) -> str:
    """The filing as an admin sees it: every field, personal data masked, open duties with deadlines."""
    owner, contact = masked_personal(rt, filing)
    status = STATUS_LABELS.get(FilingStatus(filing.status), filing.status)
    lines = [f"{filing_label(rt, filing)}备案信息（{status}）："]
    blank = "未填写"
    lines.append(
        f"群组名称：{filing.name or blank}"
        + (
            f"（当前群名「{filing.observed_name}」）"
            if filing.observed_name and filing.observed_name != filing.name
            else ""
        )
    )
    lines.append(f"归属单位：{unit_name(rt, filing.group_id)}；归属科室：{filing.dept or blank}")
    lines.append(f"服务事项：{filing.matter or blank}")
    lines.append(f"群类型：{end_text(filing) or blank}")
    lines.append(f"入群方式：{filing.entry or blank}")
    lines.append(f"群规群纪：{filing.rules or blank}")
    members = f"{filing.member_count} 人" if filing.member_count is not None else "暂未获取"
    lines.append(f"成员规模：{members}；活跃程度：{await activity_of(filing, now)}")
    if cipher(rt) is None:
        lines.append("群主（管理者）及联系方式：未配置个人信息加密密钥，暂不登记（请联系运维人员）")
    else:
        lines.append(f"群主（管理者）：{owner or blank}；联系方式：{contact or blank}")
    seen = f"首次发现：{day_text(to_local(filing.first_seen).date())}"
    if filing.filed_at is not None:
        seen += f"；备案日期：{day_text(to_local(filing.filed_at).date())}"
    if filing.status == FilingStatus.DEREGISTERED and filing.dereg_at is not None:
        seen += f"；注销：{day_text(to_local(filing.dereg_at).date())}（{filing.dereg_reason}）"
    lines.append(seen)
    for duty in await store.open_duties(platform=filing.platform, group_ids=[filing.group_id]):
        late = "，已逾期" if duty.due_at < now else ""
        detail = f"（{duty.detail}）" if duty.kind == DutyKind.REFILE and duty.detail else ""
        lines.append(f"待办：{DUTY_LABELS[DutyKind(duty.kind)]}{detail}，期限 {when(duty.due_at, now)}{late}")
    if filing.status != FilingStatus.DEREGISTERED:
        gaps = missing(rt, filing)
        if gaps:
            lines.append("尚缺：" + "、".join(FIELD_SPECS[f].label for f in gaps))
    return "\n".join(lines)

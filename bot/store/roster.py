"""Roster store (花名册): people per unit, personal data encrypted, looked up by blind index.

Every personal field is written through :class:`PersonalDataCipher` (AES-GCM token) and, where it is
looked up, a blind index (keyed HMAC) with its own purpose. Departments and statuses stay readable.

Stable key: a person is identified within a unit by the mobile number (``phone_index``). Importing a
file again updates the people whose mobile number is already on the roster and adds the others; people
who are not in the file are left as they are (and counted in the summary) — set their status
(调离, 退休 …) or remove them by command.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select, update
from sqlmodel import col

from bot.core.crypto import InvalidKeyError, PersonalDataCipher
from bot.core.identity import RosterEntry, canonical_mobile, mask_mobile, mask_name
from bot.models.admission import Admission, MemberIdentity, RosterPerson
from bot.roster_io import ACTIVE_STATUSES, STATUSES, RosterRow, canonical_name
from bot.store.db import Database, get_db

__all__ = [
    "ImportSummary",
    "Person",
    "PersonalDataKeyError",
    "add_person",
    "check_key_at_startup",
    "cipher_from_settings",
    "count_people",
    "decrypt",
    "find_by_account",
    "find_by_name",
    "find_by_phone",
    "get_people",
    "get_person",
    "has_personal_data",
    "import_rows",
    "list_people",
    "remove_person",
    "set_status",
]

KEY_ENV = "STEWARD_SECRET_KEY"
_CTX = {f: f"roster.{f}" for f in ("name", "post", "phone", "qq", "wechat")}


class PersonalDataKeyError(Exception):
    """The personal-data key is missing or malformed. One line, in Chinese, for the operator."""


def cipher_from_settings(key: SecretStr | str | None) -> PersonalDataCipher:
    """The cipher for ``STEWARD_SECRET_KEY``; :class:`PersonalDataKeyError` with a clear line otherwise."""
    raw = key.get_secret_value() if isinstance(key, SecretStr) else key
    if not raw:
        raise PersonalDataKeyError(
            f"未设置 {KEY_ENV}：花名册和入群申请中的姓名、手机号必须加密保存。"
            f"请运行 python -m bot keygen 生成密钥，写入 .env 的 {KEY_ENV}= 并妥善备份"
            "（丢失密钥即无法读取已存数据）。"
        )
    try:
        return PersonalDataCipher(raw)
    except InvalidKeyError as e:
        raise PersonalDataKeyError(f"{KEY_ENV} 无效：{e}") from None


@dataclass(frozen=True, slots=True, repr=False)
class Person:
    """A roster person with the personal data decrypted (never logged: the repr masks it)."""

    id: int
    unit: str
    name: str
    dept: str
    phone: str
    post: str = ""
    qq: str = ""
    wechat: str = ""
    status: str = "在岗"
    status_changed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def masked_name(self) -> str:
        return mask_name(self.name)

    def entry(self) -> RosterEntry:
        return RosterEntry(id=str(self.id), name=self.name, dept=self.dept)

    def line(self, *, masked: bool) -> str:
        """「#12 张三 办公室 科员 138****5678 在岗」; masked: 「#12 张* 办公室 在岗」."""
        if masked:
            return f"#{self.id} {self.masked_name} {self.dept} {self.status}"
        parts = [f"#{self.id}", self.name, self.dept]
        if self.post:
            parts.append(self.post)
        parts.append(mask_mobile(self.phone))
        if self.qq:
            parts.append(f"QQ {self.qq}")
        if self.wechat:
            parts.append(f"微信 {self.wechat}")
        parts.append(self.status)
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"Person(id={self.id}, name={self.masked_name!r}, dept={self.dept!r}, status={self.status!r})"


def decrypt(p: RosterPerson, cipher: PersonalDataCipher) -> Person:
    def dec(token: str, f: str) -> str:
        return cipher.decrypt(token, context=_CTX[f]) if token else ""

    assert p.id is not None
    return Person(
        id=p.id,
        unit=p.unit,
        name=dec(p.name_enc, "name"),
        dept=p.dept,
        phone=dec(p.phone_enc, "phone"),
        post=dec(p.post_enc, "post"),
        qq=dec(p.qq_enc, "qq"),
        wechat=dec(p.wechat_enc, "wechat"),
        status=p.status,
        status_changed_at=p.status_changed_at,
    )


def name_index(cipher: PersonalDataCipher, name: str) -> str:
    return cipher.blind_index(canonical_name(name), purpose="roster.name")


def phone_index(cipher: PersonalDataCipher, phone: str) -> str:
    return cipher.blind_index(canonical_mobile(phone) or phone, purpose="roster.phone")


def account_index(cipher: PersonalDataCipher, platform: str, account: str) -> str:
    return cipher.blind_index(account.strip(), purpose="roster.qq" if platform == "qq" else "roster.wechat")


def _enc(cipher: PersonalDataCipher, value: str, f: str) -> str:
    return cipher.encrypt(value, context=_CTX[f]) if value else ""


def _fill(p: RosterPerson, row: RosterRow, cipher: PersonalDataCipher, now: datetime) -> None:
    p.name_enc = _enc(cipher, row.name, "name")
    p.name_index = name_index(cipher, row.name)
    p.dept = row.dept
    p.post_enc = _enc(cipher, row.post, "post")
    p.phone_enc = _enc(cipher, row.phone, "phone")
    p.phone_index = phone_index(cipher, row.phone)
    p.qq_enc = _enc(cipher, row.qq, "qq")
    p.qq_index = account_index(cipher, "qq", row.qq) if row.qq else None
    p.wechat_enc = _enc(cipher, row.wechat, "wechat")
    p.wechat_index = account_index(cipher, "wechat", row.wechat) if row.wechat else None
    if p.status != row.status or p.id is None:
        p.status_changed_at = now
    p.status = row.status
    p.updated_at = now


def _same(p: RosterPerson, row: RosterRow, cipher: PersonalDataCipher) -> bool:
    person = decrypt(p, cipher)
    return (
        person.name == row.name
        and p.dept == row.dept
        and person.post == row.post
        and person.qq == row.qq
        and person.wechat == row.wechat
        and p.status == row.status
    )


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    not_in_file: int = 0
    #: (line, id of an existing person with the same name and department but another mobile number)
    possible_phone_changes: list[tuple[int, int]] = field(default_factory=list)

    def describe(self) -> str:
        text = f"新增 {self.added} 人，更新 {self.updated} 人，未变 {self.unchanged} 人"
        if self.not_in_file:
            text += (
                f"；花名册中另有 {self.not_in_file} 人不在本次文件中，保持不变"
                "（如已调离或退休，请用 /花名册 状态 编号 调离 标记）"
            )
        if self.possible_phone_changes:
            shown = "、".join(f"第 {ln} 行（已有 #{pid}）" for ln, pid in self.possible_phone_changes[:10])
            text += (
                f"\n注意：{shown} 与花名册中已有人员同名同科室但手机号不同，已作为新人员导入；"
                "如是同一人更换了手机号，请用 /花名册 删除 编号 删去旧记录"
            )
        return text


async def import_rows(
    unit: str,
    rows: Sequence[RosterRow],
    cipher: PersonalDataCipher,
    *,
    now: datetime,
    db: Database | None = None,
) -> ImportSummary:
    """Insert or update ``rows`` in one transaction (all or nothing), keyed by mobile number."""
    db = db or get_db()
    summary = ImportSummary()
    async with db.session() as s:
        existing = list(
            (await s.execute(select(RosterPerson).where(col(RosterPerson.unit) == unit))).scalars()
        )
        by_phone = {p.phone_index: p for p in existing}
        by_name_dept: dict[tuple[str, str], int] = {}
        for p in existing:
            assert p.id is not None
            by_name_dept.setdefault((p.name_index, p.dept), p.id)
        touched: set[str] = set()
        for row in rows:
            key = phone_index(cipher, row.phone)
            touched.add(key)
            found = by_phone.get(key)
            if found is None:
                p = RosterPerson(unit=unit, created_at=now)  # type: ignore[call-arg]
                _fill(p, row, cipher, now)
                s.add(p)
                by_phone[key] = p
                summary.added += 1
                old = by_name_dept.get((p.name_index, p.dept))
                if old is not None:
                    summary.possible_phone_changes.append((row.line, old))
            elif _same(found, row, cipher):
                summary.unchanged += 1
            else:
                _fill(found, row, cipher, now)
                summary.updated += 1
        summary.not_in_file = sum(1 for p in existing if p.phone_index not in touched)
        # The "possible phone change" hint only makes sense when the old record was not in the file.
        old_in_file = {p.id for p in existing if p.phone_index in touched}
        summary.possible_phone_changes = [
            (ln, pid) for ln, pid in summary.possible_phone_changes if pid not in old_in_file
        ]
    return summary


async def add_person(
    unit: str, row: RosterRow, cipher: PersonalDataCipher, *, now: datetime, db: Database | None = None
) -> tuple[int, bool]:
    """Add one person, or update the one with the same mobile number; (id, created)."""
    db = db or get_db()
    async with db.session() as s:
        key = phone_index(cipher, row.phone)
        p = (
            await s.execute(
                select(RosterPerson).where(
                    col(RosterPerson.unit) == unit, col(RosterPerson.phone_index) == key
                )
            )
        ).scalar_one_or_none()
        created = p is None
        if p is None:
            p = RosterPerson(unit=unit, created_at=now)  # type: ignore[call-arg]
            s.add(p)
        _fill(p, row, cipher, now)
        await s.flush()
        assert p.id is not None
        return p.id, created


async def remove_person(person_id: int, *, db: Database | None = None) -> bool:
    """Delete a person (their encrypted data goes with them); bindings and admissions keep the fact that
    someone was bound, without the link."""
    db = db or get_db()
    async with db.session() as s:
        p = await s.get(RosterPerson, person_id)
        if p is None:
            return False
        await s.execute(
            update(MemberIdentity).where(col(MemberIdentity.person_id) == person_id).values(person_id=None)
        )
        await s.execute(update(Admission).where(col(Admission.person_id) == person_id).values(person_id=None))
        await s.delete(p)
    return True


async def set_status(
    person_id: int, status: str, *, now: datetime, db: Database | None = None
) -> RosterPerson | None:
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    db = db or get_db()
    async with db.session() as s:
        p = await s.get(RosterPerson, person_id)
        if p is None:
            return None
        if p.status != status:
            p.status = status
            p.status_changed_at = now
            p.updated_at = now
        return p


async def get_person(person_id: int, *, db: Database | None = None) -> RosterPerson | None:
    db = db or get_db()
    async with db.session() as s:
        return await s.get(RosterPerson, person_id)


async def get_people(ids: Iterable[int], *, db: Database | None = None) -> dict[int, RosterPerson]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    db = db or get_db()
    async with db.session() as s:
        rows = (await s.execute(select(RosterPerson).where(col(RosterPerson.id).in_(wanted)))).scalars()
        return {p.id: p for p in rows if p.id is not None}


async def list_people(
    unit: str, *, active_only: bool = False, dept: str | None = None, db: Database | None = None
) -> list[RosterPerson]:
    db = db or get_db()
    q: Any = select(RosterPerson).where(col(RosterPerson.unit) == unit)
    if active_only:
        q = q.where(col(RosterPerson.status).in_(sorted(ACTIVE_STATUSES)))
    if dept:
        q = q.where(col(RosterPerson.dept) == dept)
    async with db.session() as s:
        return list((await s.execute(q.order_by(col(RosterPerson.dept), RosterPerson.id))).scalars())


async def count_people(unit: str | None = None, *, db: Database | None = None) -> dict[str, int]:
    """People per status (of one unit, or of all)."""
    db = db or get_db()
    q: Any = select(col(RosterPerson.status), func.count()).group_by(col(RosterPerson.status))
    if unit is not None:
        q = q.where(col(RosterPerson.unit) == unit)
    async with db.session() as s:
        return {status: n for status, n in (await s.execute(q)).all()}


async def find_by_phone(
    unit: str, phone: str, cipher: PersonalDataCipher, *, db: Database | None = None
) -> RosterPerson | None:
    db = db or get_db()
    async with db.session() as s:
        return (
            await s.execute(
                select(RosterPerson).where(
                    col(RosterPerson.unit) == unit,
                    col(RosterPerson.phone_index) == phone_index(cipher, phone),
                )
            )
        ).scalar_one_or_none()


async def find_by_name(
    unit: str, name: str, cipher: PersonalDataCipher, *, db: Database | None = None
) -> list[RosterPerson]:
    db = db or get_db()
    async with db.session() as s:
        q = select(RosterPerson).where(
            col(RosterPerson.unit) == unit, col(RosterPerson.name_index) == name_index(cipher, name)
        )
        return list((await s.execute(q.order_by(col(RosterPerson.id)))).scalars())


async def find_by_account(
    unit: str, platform: str, account: str, cipher: PersonalDataCipher, *, db: Database | None = None
) -> RosterPerson | None:
    """The person whose QQ number (platform "qq") or WeChat id is ``account``, if the roster has it."""
    db = db or get_db()
    idx = account_index(cipher, platform, account)
    column = col(RosterPerson.qq_index) if platform == "qq" else col(RosterPerson.wechat_index)
    async with db.session() as s:
        return (
            (await s.execute(select(RosterPerson).where(col(RosterPerson.unit) == unit, column == idx)))
            .scalars()
            .first()
        )


async def has_personal_data(*, db: Database | None = None) -> bool:
    """Whether the database holds encrypted personal data (roster people or admission records)."""
    db = db or get_db()
    async with db.session() as s:
        people = (await s.execute(select(func.count()).select_from(RosterPerson))).scalar_one()
        if people:
            return True
        pending = (
            await s.execute(
                select(func.count()).select_from(Admission).where(col(Admission.comment_enc) != "")
            )
        ).scalar_one()
        return bool(pending)


async def check_key_at_startup(key: SecretStr | str | None, *, db: Database | None = None) -> bool:
    """Start-up check: a key that is set must be valid; a missing key is refused when the database
    already holds personal data (it could be neither read nor added to). Returns whether admission can
    run (False: no key and no data — the bot may start, the admission capability stays off).
    Raises :class:`PersonalDataKeyError` with the line for the operator."""
    raw = key.get_secret_value() if isinstance(key, SecretStr) else key
    if raw:
        cipher_from_settings(raw)
        return True
    if await has_personal_data(db=db):
        raise PersonalDataKeyError(
            f"拒绝启动：数据库中已有加密保存的花名册或入群记录，但未设置 {KEY_ENV}。"
            f"请在 .env 中填写加密这些数据时使用的密钥（{KEY_ENV}=…）后再启动。"
        )
    return False

"""/词库 (/words): this group's (or its unit's) keyword additions and removals, the tier of a word
(升级: act on it; 降级: only a private note to the admins), live; test a text and see which entry
and which cue decided."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.guard import ContentGuard, GuardInput
from bot.core.guard.categories import kind_key, kind_label
from bot.core.text import ALLOW_KEY, CATEGORIES, Matcher
from bot.core.text.categories import label
from bot.core.text.lexicon import MAX_WORD_LENGTH
from bot.dispatch import CommandContext, Role, UsageError, command
from bot.plugins.guard.state import Compiled, state
from bot.store import guard as store

USAGE = (
    "/词库 添加 类别 词语…｜/词库 删除 类别 词语…｜/词库 升级 类别 词语…（直接处理）｜"
    "/词库 降级 类别 词语…（只私下提示管理员核实）｜/词库 列表 [类别]｜"
    "/词库 测试 文本（显示由哪个词、哪个线索决定）｜"
    "在前面加「单位」则作用于本群所属单位的全部群（监管单位可用），如 /词库 单位 添加 广告 团购接龙。"
    "导入外部词表（python -m bot lexicon import）后发送 /词库 重载。"
    "类别：政治、色情、赌博、暴恐、毒品、广告、诈骗、违法、谣言、涉密、无关、形式主义、白名单"
)

_ADD = ("添加", "add", "增加")
_REMOVE = ("删除", "remove", "del", "移除")
_LIST = ("列表", "list", "查看")
_TEST = ("测试", "test")
_PROMOTE = ("升级", "promote", "处理")
_DEMOTE = ("降级", "demote", "待核实", "核实")
_RELOAD = ("重载", "reload")
_ALLOW_NAMES = ("白名单", "允许", "allow")


def category_of(name: str) -> str:
    """A keyword category key (or the allow list) from what was typed; UsageError when unknown."""
    if name in _ALLOW_NAMES:
        return ALLOW_KEY
    key = kind_key(name)
    if key is None or key not in {c.key for c in CATEGORIES}:
        raise UsageError(f"没有「{name}」这个类别。")
    return key


def _label(category: str) -> str:
    return "白名单" if category == ALLOW_KEY else label(category)


@command(
    "词库",
    aliases=("words",),
    role=Role.DEPUTY,  # 分管 (SPEC §8): a bot-level admin command, no platform right needed
    summary="增删本群或本单位的关键词，测试一段文字",
    usage=USAGE,
    order=40,
    quotes_content=True,
)
async def words(ctx: CommandContext) -> None:
    argv = ctx.argv
    if not argv:
        raise UsageError("请说明要添加、删除、列出还是测试。")
    if argv[0] in _TEST:
        await _test(ctx, ctx.args.split(maxsplit=1)[1] if len(argv) > 1 else "")
        return
    if argv[0] in _RELOAD:
        await state.reload(ctx.runtime)
        ctx.reply(f"已从数据库重新读取词库调整：{state.overlay_count()} 个单位或群有自己的词库，立即生效。")
        return
    rec, rt = ctx.record, ctx.runtime
    if not rec.is_group:
        raise UsageError("添加、删除和列表请在要管理的群内使用（测试可以私聊）。")
    if not state.loaded:
        await state.load(rt)
    scope, scope_id, where = "group", rec.group_id, "本群"
    if argv[0] == "单位":
        gp = rt.policy.for_group(rec.group_id)
        if not gp.unit_key:
            raise UsageError("本群没有归属单位（config/bot.toml 中的 units），只能管理本群的词库。")
        if ctx.role < Role.SUPERVISOR:
            ctx.refuse(
                f"抱歉，修改单位词库需要「{Role.SUPERVISOR.label}」及以上权限，您当前为「{ctx.role.label}」，"
                "本次未做任何操作。",
                why=f"修改单位词库需要「{Role.SUPERVISOR.label}」及以上权限",
                mention=True,
            )
            return
        scope, scope_id, where = "unit", gp.unit_key, f"「{gp.unit_name or gp.unit_key}」所有群"
        argv = argv[1:]
        if not argv:
            raise UsageError("请说明要添加、删除还是列出。")
    sub, rest = argv[0], argv[1:]
    if sub in _LIST:
        _list(ctx, scope, scope_id, where, category_of(rest[0]) if rest else None)
        return
    if sub not in _ADD + _REMOVE + _PROMOTE + _DEMOTE:
        raise UsageError(f"不认识「{sub}」。")
    if len(rest) < 2:
        raise UsageError("请给出类别和至少一个词语。")
    category, entries = category_of(rest[0]), list(dict.fromkeys(rest[1:]))
    if sub in _PROMOTE + _DEMOTE:
        if category == ALLOW_KEY:
            raise UsageError("白名单没有级别：白名单中的词总是不处理。")
        await _tier(ctx, scope, scope_id, where, category, entries, "act" if sub in _PROMOTE else "flag")
        return
    if sub in _ADD:
        await _add(ctx, scope, scope_id, where, category, entries)
    else:
        await _remove(ctx, scope, scope_id, where, category, entries)


def _refused(category: str, entries: list[str]) -> dict[str, str]:
    """Entries the matcher would skip (too long, normalising to nothing or one character)."""
    out = {w: f"超过 {MAX_WORD_LENGTH} 个字" for w in entries if len(w) > MAX_WORD_LENGTH}
    ok = [w for w in entries if w not in out]
    deny = {} if category == ALLOW_KEY else {category: ok}
    probe = Matcher.build(deny, ok if category == ALLOW_KEY else (), normalizer=state.base().normalizer)
    out.update({s.word: s.reason for s in probe.skipped})
    return out


async def _reload(scope: str, scope_id: str) -> None:
    state.set_words(scope, scope_id, await store.words_of(scope, scope_id))


async def _add(
    ctx: CommandContext, scope: str, scope_id: str, where: str, category: str, entries: list[str]
) -> None:
    refused = _refused(category, entries)
    now = datetime.now(UTC)
    added = []
    for word in entries:
        if word not in refused and await store.add_word(
            scope, scope_id, category, word, by=ctx.record.user_id, at=now
        ):
            added.append(word)
    await _reload(scope, scope_id)
    lines = []
    if added:
        lines.append(f"已在{where}的「{_label(category)}」中添加：{'、'.join(added)}，立即生效。")
    same = [w for w in entries if w not in refused and w not in added]
    if same:
        lines.append(f"已经在{where}的「{_label(category)}」中：{'、'.join(same)}。")
    lines.extend(f"未添加「{w}」：{why}。" for w, why in refused.items())
    ctx.reply("\n".join(lines))


async def _remove(
    ctx: CommandContext, scope: str, scope_id: str, where: str, category: str, entries: list[str]
) -> None:
    rows = {(r.category, r.word): r for r in state.words(scope, scope_id)}
    base = state.base_lexicon.deny.get(category, ()) if state.base_lexicon else ()
    now = datetime.now(UTC)
    done, masked, missing = [], [], []
    for word in entries:
        row = rows.get((category, word))
        if row is not None and row.op == "add":
            await store.delete_word(scope, scope_id, category, word)
            done.append(word)
        elif category != ALLOW_KEY and (word in base or _in_unit(ctx, scope, category, word)):
            if row is None:
                await store.add_word(
                    scope, scope_id, category, word, op="remove", by=ctx.record.user_id, at=now
                )
            masked.append(word)
        else:
            missing.append(word)
    await _reload(scope, scope_id)
    lines = []
    if done:
        lines.append(f"已从{where}的「{_label(category)}」中删除：{'、'.join(done)}。")
    if masked:
        lines.append(f"默认词库中的「{'、'.join(masked)}」在{where}不再命中（其他群不受影响），立即生效。")
    if missing:
        lines.append(f"{where}的「{_label(category)}」中没有：{'、'.join(missing)}。")
    ctx.reply("\n".join(lines))


def _known(ctx: CommandContext, scope: str, category: str, word: str) -> bool:
    """Whether ``word`` is matched here already: the packaged lexicons (either tier), a context
    rule's named terms, or the unit's additions."""
    data = state.data
    if data is not None and (
        word in data.lexicon.all_deny().get(category, ()) or word in data.contexts.terms().get(category, ())
    ):
        return True
    return _in_unit(ctx, scope, category, word)


_TIER_LABEL = {"act": "直接处理（按本群规定撤回、提醒）", "flag": "待核实（不公开处理，只私下提示管理员）"}


async def _tier(
    ctx: CommandContext, scope: str, scope_id: str, where: str, category: str, entries: list[str], tier: str
) -> None:
    """Promote (act) or demote (flag) words in this scope: an added word changes its tier; a word
    matched elsewhere (the packaged lexicons, a context rule, the unit) gets a tier row; an unknown
    word is added at that tier."""
    state.base()
    refused = _refused(category, entries)
    rows = {(r.category, r.word): r for r in state.words(scope, scope_id)}
    now = datetime.now(UTC)
    changed: list[str] = []
    added: list[str] = []
    same: list[str] = []
    masked: list[str] = []
    for word in entries:
        if word in refused:
            continue
        row = rows.get((category, word))
        if row is not None and row.op == "remove":
            masked.append(word)
            continue
        if row is not None and row.tier == tier:
            same.append(word)
            continue
        new = row is None and not _known(ctx, scope, category, word)
        op = "add" if new or (row is not None and row.op == "add") else "tier"
        await store.add_word(scope, scope_id, category, word, op=op, tier=tier, by=ctx.record.user_id, at=now)
        (added if new else changed).append(word)
    await _reload(scope, scope_id)
    label = _TIER_LABEL[tier]
    lines = []
    if changed:
        lines.append(f"{where}「{_label(category)}」中的 {'、'.join(changed)} 已改为{label}，立即生效。")
    if added:
        lines.append(
            f"词库中原来没有 {'、'.join(added)}，已添加到{where}的「{_label(category)}」，级别为{label}。"
        )
    if same:
        lines.append(f"{'、'.join(same)} 在{where}已经是{label}。")
    if masked:
        lines.append(f"{'、'.join(masked)} 在{where}已删除（不再命中），请先用 /词库 添加 恢复。")
    lines.extend(f"未调整「{w}」：{why}。" for w, why in refused.items())
    ctx.reply("\n".join(lines))


def _in_unit(ctx: CommandContext, scope: str, category: str, word: str) -> bool:
    """A group may also remove (mask) a word its unit added."""
    gp = ctx.runtime.policy.for_group(ctx.record.group_id)
    if scope != "group" or not gp.unit_key:
        return False
    return any(
        r.category == category and r.word == word and r.op == "add" for r in state.words("unit", gp.unit_key)
    )


def _list(ctx: CommandContext, scope: str, scope_id: str, where: str, only: str | None) -> None:
    rows = [r for r in state.words(scope, scope_id) if only is None or r.category == only]
    lines = [f"{where}的词库调整（默认词库之外）："]
    if not rows:
        lines.append("（无）")
    by_cat: dict[str, list[str]] = {}
    for r in rows:
        if r.op == "remove":
            shown = f"{r.word}（不再命中）"
        elif r.op == "tier":
            shown = f"{r.word}（{'改为直接处理' if r.tier == 'act' else '改为待核实'}）"
        else:
            shown = r.word + ("（待核实）" if r.tier == "flag" else "")
        by_cat.setdefault(r.category, []).append(shown)
    lines.extend(f"{_label(cat)}：{'、'.join(ws)}" for cat, ws in by_cat.items())
    base = state.base_lexicon
    if base is not None:
        counts = "、".join(f"{_label(k)} {len(v)}" for k, v in base.deny.items() if only is None or k == only)
        lines.append(f"默认词库：{counts or '无'} 个词。")
        flag = "、".join(
            f"{_label(k)} {len(v)}" for k, v in base.flag.items() if v and (only is None or k == only)
        )
        if flag:
            lines.append(f"其中另有待核实级：{flag} 个词（命中只私下提示管理员）。")
    ctx.reply("\n".join(lines))


async def _test(ctx: CommandContext, text: str) -> None:
    """Run the group's guard over ``text`` without acting or remembering; say what would happen."""
    if not text.strip():
        raise UsageError("请在「测试」后面写上要测试的文字。")
    rec, rt = ctx.record, ctx.runtime
    if not state.loaded:
        await state.load(rt)
    c = state.compiled(rt, rec.group_id)
    msg = GuardInput(text, group_id=rec.group_id, user_id=rec.user_id, at=rec.time)
    found = state.engine.check(msg, c.cfg, remember=False)
    if not found:
        why = _why(text, c)
        ctx.reply("未命中任何规则。" + ("\n判断依据：\n" + "\n".join(f"· {w}" for w in why) if why else ""))
        return
    lines = ["命中："]
    for f in found:
        acts = "、".join(a.label for a in sorted(c.cfg.actions.get(f.kind, ()), key=lambda a: -a.strength))
        if f.flagged:
            acts = "待核实：不公开处理，只私下提示群主或管理员"
        shown = f"「{f.excerpt}」" if f.excerpt and not f.sensitive else ""
        lines.append(f"· {kind_label(f.kind)}{shown} → {acts or '仅记录'}，{c.preset.cite(f.cite_key)}")
    why = _why(text, c)
    if why:
        lines.append("判断依据：")
        lines.extend(f"· {line}" for line in why)
    if c.observe:
        lines.append("本群为观察模式：只记录，不处理。")
    ctx.reply("\n".join(lines))


def _why(text: str, c: Compiled) -> list[str]:
    """Which entry and which cue decided, with category labels (secret markings are not named)."""
    out = []
    for line in ContentGuard.explain(text, c.cfg):
        key, _, rest = line.partition("：")
        out.append(f"{kind_label(key)}：{rest}")
    return out

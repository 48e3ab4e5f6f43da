"""Chinese wording of the guard's warnings, reminders and notes to the owner (pure functions).

What a member reads: what happened (never the text of a secret-marked or personal-data message),
which rule (the preset's citation and what the clause says), and what to do instead.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.calendar import to_local
from bot.core.guard import Finding, Plan, Repeat, Verdict
from bot.core.guard.categories import kind_label

# What each cited clause asks of members (the citation itself comes from the preset).
RULE_TEXT: dict[str, str] = {
    "prohibited": "工作群严禁发布或讨论反动、色情、赌博、暴力、商业广告、病毒链接和其他违法侵权的内容",
    "secret": "工作群坚持「涉密不上网、上网不涉密」，严禁在群内发布涉密文件和敏感信息",
    "privacy": "不得在群内谈论和透露他人隐私，成员的个人信息须妥善保护",
    "off_topic": "工作群用于工作交流，不发布与工作无关的信息",
    "formalism": "工作群要防止「拍马体」「秀工作」等形式主义",
    "repeat_notice": "禁止同一信息在群内反复发布、多头发布",
    "rumor": "请自觉抵制网络谣言，未经证实的信息不要转发",
}

ADVICE: dict[str, str] = {
    "secret": (
        "涉密文件和信息请通过机要渠道或涉密网络传递，切勿发到互联网工作群；"
        "如确属非涉密材料，请去掉密级标识后再发。"
    ),
    "file_secret": "请立即在群文件中删除该文件（机器人无法删除群文件），涉密文件请通过机要渠道传递。",
    "id_number": "个人信息请通过单位内部系统报送或当面核对，不要发在群里。",
    "bank_card": "个人信息请通过单位内部系统报送或当面核对，不要发在群里。",
    "mobile": "联系方式请私聊提供，不要公开发在群里。",
    "ads": "广告和推广信息请勿发到工作群。",
    "offtopic": "与工作无关的内容请私下交流。",
    "formalism": "汇报工作请实事求是、简明扼要。",
    "rumor": "请先向官方渠道核实，不传播未经证实的信息。",
    "link_shortener": "短链接无法确认去向，请改发原始链接（最好是官方网站或公众号原文），并说明来源。",
    "link_unknown": "请确认链接来源可靠，并说明与工作的关系。",
    "link_card": "与工作无关的小程序、分享卡片请勿发到工作群；如为工作需要，请说明用途。",
    "file_type": "可执行文件和安装包可能携带病毒，请在群文件中删除该文件，需要时通过单位正规渠道分发。",
    "repeat_notice": "提醒大家查看原通知即可，不必重发全文；如需更正，请在消息开头注明「更正」。",
    "flood": "请把内容合并成一条消息发送。",
}
DEFAULT_ADVICE = "请只发布与工作相关的信息。"

# Where the content was, when not in the message's own text (Incident.source → wording).
CARRIERS: dict[str, str] = {
    "forward": "（合并转发的聊天记录）",
    "image": "（图片中的文字）",
    "qr": "（图片中的二维码）",
}
# A file sent where the bot cannot recall and there is no group file space (WeChat): the sender withdraws it.
WITHDRAW_FILE = "本平台不支持机器人撤回，请您立即撤回该文件（发送后 2 分钟内可撤回），并告知群主。"


def duration(seconds: int) -> str:
    """「10 分钟」「2 小时」「1 天」."""
    if seconds % 86400 == 0:
        return f"{seconds // 86400} 天"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} 小时"
    return f"{max(1, round(seconds / 60))} 分钟"


def when(moment: datetime) -> str:
    local = to_local(moment)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def what(
    finding: Finding,
    *,
    who: str = "您",
    place: str = "",
    file: bool = False,
    where: str = "",
    within: str = "",
) -> str:
    """「您刚才发送的消息含有「赌博」类内容」 — never the text of a sensitive message.

    ``who`` names the sender (「您」, or 「成员 张三（30001）」 for the owner), ``place`` the group
    (「在「办公室工作群」」 in a private reminder), ``where`` the group of the original notice.
    """
    kind = finding.kind
    if file:
        sent = "上传的文件"
    elif kind in ("file_secret", "file_type") and not within:
        sent = "发送的文件"
    else:
        sent = "发送的消息" + within
    subject = f"{who}刚才{place}{sent}"
    shown = f"（「{finding.shown}」）" if finding.shown else ""
    if kind == "secret":
        return f"{subject}带有密级标识（为保护信息安全，内容不予转述）"
    if kind == "file_secret":
        return f"{subject}的文件名带有密级标识（为保护信息安全，文件名不予转述）"
    if kind in ("id_number", "bank_card", "mobile"):
        return f"{subject}含有{kind_label(kind)}（为保护个人信息，号码不予转述）"
    if kind == "file_type":
        return f"{subject}是禁止在工作群上传的文件类型{shown}"
    if kind in ("link_shortener", "link_unknown"):
        return f"{subject}含有{kind_label(kind)}（{finding.excerpt}）"
    if kind == "link_card":
        return f"{subject}含有小程序或分享卡片" + (f"（{finding.excerpt}）" if finding.excerpt else "")
    if kind == "repeat_notice" and isinstance(finding.ref, Repeat):
        return f"{subject}与 {when(finding.ref.at)} 在{where or '本群'}已发布的通知内容相同"
    if kind == "flood":
        return f"{who}{place}{finding.detail or '短时间内发送了过多消息'}"
    return f"{subject}含有「{kind_label(kind)}」类内容{shown}"


def _rule(preset_cite: str, cite_key: str) -> str:
    rule = RULE_TEXT.get(cite_key, "")
    return f"{preset_cite}，{rule}。" if rule else f"{preset_cite}。"


def group_warning(
    verdict: Verdict,
    plan: Plan,
    *,
    cite: str,
    expiry_days: int,
    file: bool = False,
    where: str = "",
    within: str = "",
    withdraw: bool = False,
    recall_failed: bool = False,
) -> str:
    """The warning posted in the group with an @ of the sender. ``withdraw``: a file the bot can
    neither recall nor find in a group file space (WeChat) — the sender is asked to withdraw it."""
    f = verdict.primary
    head = what(f, file=file, where=where, within=within)
    if file and withdraw:
        head += "。" + WITHDRAW_FILE
    elif file:
        head += "。"  # the advice asks for the file to be deleted (the bot cannot)
    elif plan.recall and recall_failed:
        head += "。机器人未能撤回该消息，请您立即自行撤回。"
    elif plan.recall:
        head += "，已被撤回。"
    elif "recall" in plan.cannot:
        head += "。本平台不支持机器人撤回，请您尽快自行撤回。"
    else:
        head += "，特此提醒。"
    advice = ADVICE.get(f.kind, DEFAULT_ADVICE)
    if withdraw and f.kind in ("file_secret", "file_type"):
        advice = "涉密文件请通过机要渠道传递，可执行文件请通过单位正规渠道分发。"
    lines = [head, _rule(cite, f.cite_key), advice]
    tail = []
    if plan.strike_weight:
        tail.append(f"这是您近 {expiry_days} 天内累计第 {plan.strikes_total} 次违规提醒")
    if plan.mute_seconds:
        tail.append(f"按本群规定禁言 {duration(plan.mute_seconds)}")
    if plan.propose_removal:
        tail.append("已报告群主")
    elif plan.notify_owner:
        tail.append("已告知群主")
    if tail:
        lines.append("，".join(tail) + "。")
    return "\n".join(lines)


def command_refused(name: str, verdict: Verdict, cite: str) -> str:
    """A command refused for its content, when no warning told the member already."""
    f = verdict.primary
    return "\n".join(
        [
            f"您好！您发送的 /{name} 命令{what(f, who='').removeprefix('刚才发送的消息')}，命令未执行。",
            _rule(cite, f.cite_key),
            "请去掉这部分内容后重新发送。",
        ]
    )


def private_reminder(
    verdict: Verdict,
    *,
    cite: str,
    group: str,
    where: str = "",
    exempt: bool = False,
    within: str = "",
) -> str:
    """A private reminder (no strike): off-topic content, cards, repeats, or an exempt sender's slip."""
    f = verdict.primary
    lines = [
        f"您好！{what(f, place=f'在{group}', where=where, within=within)}。",
        _rule(cite, f.cite_key),
        ADVICE.get(f.kind, DEFAULT_ADVICE),
    ]
    if exempt and verdict.sensitive:
        lines.append("您是本群的管理人员，机器人未作处理；如非必要，建议您撤回该消息。")
    lines.append("（这是一条私聊提醒，不计入违规次数。）")
    return "\n".join(lines)


def owner_note(
    verdict: Verdict,
    plan: Plan,
    *,
    cite: str,
    group: str,
    member: str,
    expiry_days: int,
    ladder_removal_at: int,
    file: bool = False,
    where: str = "",
    within: str = "",
    withdraw: bool = False,
    recall_failed: bool = False,
) -> str:
    """What the group's owner is told (never the text of the message)."""
    f = verdict.primary
    done = []
    if plan.recall and recall_failed:
        done.append("撤回未成功（已请其自行撤回）")
    elif plan.recall:
        done.append("已撤回")
    if plan.mute_seconds:
        done.append(f"已禁言 {duration(plan.mute_seconds)}")
    if plan.warn_group:
        done.append("已在群内提醒")
    elif plan.warn_private:
        done.append("已私聊提醒")
    if "recall" in plan.cannot or withdraw:
        done.append("平台不支持撤回，已请其自行撤回")
    action = "，".join(done) or "机器人未作处理"
    about = what(f, who=f"成员 {member}", file=file, where=where, within=within)
    lines = [
        f"【内容巡查】{group}：{about}，{action}。",
        _rule(cite, f.cite_key),
    ]
    if plan.strikes_total:
        lines.append(f"该成员近 {expiry_days} 天内累计 {plan.strikes_total} 次违规提醒。")
    if plan.propose_removal:
        lines.append(
            f"已达到本群设定的 {ladder_removal_at} 次上限，建议将其移出本群。"
            "机器人不会因内容自动移出成员，是否移出请您决定。"
        )
    if withdraw:
        lines.append("机器人无法撤回该文件，如成员未及时撤回，请您提醒并跟进。")
    elif file and f.kind in ("file_secret", "file_type"):
        lines.append("机器人无法删除群文件，请您或管理员在群文件中删除。")
    return "\n".join(lines)


def flag_note(verdict: Verdict, *, cite: str, group: str, member: str, file: bool = False) -> str:
    """The private note for a message with flag-tier findings only: ambiguous, so nothing was done
    in the group; an admin decides (never the text of the message)."""
    f = verdict.primary
    return "\n".join(
        [
            f"【内容巡查·待核实】{group}：{what(f, who=f'成员 {member}', file=file)}，"
            "但仅凭词语无法确定是否违规，机器人未作处理，也未计入违规次数。",
            _rule(cite, f.cite_key),
            "请您查看原消息后决定：如确属违规，可撤回并提醒；如为正常用语，无需处理"
            "（可用 /词库 测试 查看判断依据，用 /词库 降级 或 /词库 删除 调整）。",
        ]
    )

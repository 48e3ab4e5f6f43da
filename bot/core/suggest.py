"""Is a group message a suggestion (意见建议, huangshan 第十一条)? A scored rule list you can read.

Score = cue + work topic − chat signs; a message is a suggestion at :data:`THRESHOLD` or above.

* **Cue** (the strongest one counts, +3 or +2): 建议、意见、提议、倡议、能否、可否、是否可以、希望、
  最好、不妨、呼吁; "我建议" / "提个建议" / "有个想法" are the strongest (+4).
* **Work topic** (+1 each, at most +2): words about how the work is done — 流程、制度、会议、材料、
  系统、平台、报送、审批、培训、效率、规范、统一、优化、改进、完善、简化、调整、增加、减少 …
* **Chat signs** (−4 each): the cue addresses one person about daily life ("建议你先吃饭",
  "希望你早日康复"), asks others for their opinion ("大家有什么意见吗"), or names a document
  ("征求意见稿"); very short messages (−2).

``classify`` returns the verdict with the names of the rules that fired, so a surprising result can
be explained and a test written for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["THRESHOLD", "Verdict", "classify"]

THRESHOLD = 4

_STRONG = re.compile(
    r"我(们)?(建议|提议|倡议)|提(个|一个|点|一点|几点|条)?(建议|意见)|有个(想法|建议)|合理化建议"
)
_CUES: tuple[tuple[str, int, re.Pattern[str]], ...] = (
    ("建议", 3, re.compile(r"建议")),
    ("提议", 3, re.compile(r"提议|倡议")),
    ("意见", 2, re.compile(r"意见")),
    ("能否", 3, re.compile(r"能否|可否|是否可以|是不是可以|能不能|可不可以")),
    ("希望", 2, re.compile(r"希望")),
    ("最好", 2, re.compile(r"最好(能|是|可以)|不妨|呼吁")),
)
_TOPIC = re.compile(
    r"流程|制度|会议|开会|材料|系统|平台|报送|上报|审批|培训|效率|规范|统一|优化|改进|完善|简化|调整|"
    r"增加|减少|提高|提前|安排|办公|工作|模板|表格|台账|考核|通知|群里|群内|值班|窗口|服务|群众|政务|"
    r"信息化|线上|线下|公开|机制|方案|标准|节约|经费|预算|采购|共享|协同|督办|检查|宣传"
)
# The cue is about one person's daily life, not the work: 建议你先吃饭、希望您早日康复、能不能帮我带饭.
_PERSONAL = re.compile(
    r"(建议|希望|能否|能不能|可否|可不可以)(你|您|妳|他|她|大家|你们)?(先|赶紧|快|多|早点|早日|今天|今晚|明天|去)?"
    r"(吃|喝|睡|休息|回家|下班|看医生|去医院|穿|带伞|减肥|锻炼|运动|康复|快乐|开心|顺利|健康|平安|玩)"
    r"|帮我|给我带|借我|请我|吃饭|午饭|晚饭|奶茶|外卖|早日康复|生日快乐|节日快乐|身体健康|新年快乐|"
    r"希望工程|天气|下雨|周末愉快"
)
_ASKING = re.compile(
    r"(有|有没有|还有)(什么|啥|其他|别的)?(意见|建议)(吗|么|没有|\?|？)|意见(吗|么)|没(有)?意见|无意见|"
    r"(同意|收到)[。！!]?$|征求意见稿|意见稿|意见的通知|意见》|实施意见|指导意见|处理意见|审核意见|"
    r"签(署)?意见|建议名单|建议人选"
)
_SHORT = 8


@dataclass(frozen=True, slots=True)
class Verdict:
    is_suggestion: bool
    score: int
    rules: tuple[str, ...]  # e.g. ("cue:建议", "topic:流程", "chat:personal")


def classify(text: str) -> Verdict:
    """Score one message (a command's own text is not classified: /建议 is explicit)."""
    t = re.sub(r"\s+", "", text)
    rules: list[str] = []
    score = 0
    if _STRONG.search(t):
        score += 4
        rules.append("cue:strong")
    else:
        best = max(((w, n) for n, w, p in _CUES if p.search(t)), default=None)
        if best is not None:
            score += best[0]
            rules.append(f"cue:{best[1]}")
    if not rules:
        return Verdict(False, 0, ())
    topics = list(dict.fromkeys(_TOPIC.findall(t)))[:2]
    score += len(topics)
    rules.extend(f"topic:{w}" for w in topics)
    if _PERSONAL.search(t):
        score -= 4
        rules.append("chat:personal")
    if _ASKING.search(t):
        score -= 4
        rules.append("chat:asking_or_document")
    if len(t) < _SHORT:
        score -= 2
        rules.append("chat:short")
    return Verdict(score >= THRESHOLD, score, tuple(rules))

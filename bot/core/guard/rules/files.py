"""Files uploaded to the group (huangshi 第十条: 严禁上传涉密和敏感文件资料; executables fall under
病毒链接 and 其他违法侵权的内容 there and in huangshan 第十二条（二）).

A file's name is checked, not its content (the bot does not download uploads): a secret marking in
the name (``机密★关于……的通知.docx``, ``内部资料 注意保存.pdf``) or an extension the policy blocks
(``.exe``, ``.apk``, ``.bat`` …, also hidden behind a harmless one: ``通知.pdf.exe``).
"""

from __future__ import annotations

from bot.core.guard.finding import Finding
from bot.core.guard.rules import secret_marking
from bot.core.text.matcher import MatcherStack


def extension(name: str) -> str:
    """The last extension of a file name, lower case, without the dot (``""`` when none)."""
    base = name.strip().rstrip(".").replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base.lstrip("."):
        return ""
    return base.rsplit(".", 1)[-1].strip().lower()


def findings(name: str, stack: MatcherStack, blocked: frozenset[str]) -> list[Finding]:
    """Findings for a file called ``name``. The secret finding carries no excerpt (not even the
    name: it may be the title of the classified document)."""
    out: list[Finding] = []
    if secret_marking.marked(stack, name):
        out.append(Finding("file_secret"))
    ext = extension(name)
    if ext and ext in blocked:
        out.append(Finding("file_type", f".{ext}"))
    return out

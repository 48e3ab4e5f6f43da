"""Files uploaded to the group (huangshi 第十条: 严禁上传涉密和敏感文件资料; executables fall under
病毒链接 and 其他违法侵权的内容 there and in huangshan 第十二条（二）).

A file's name is checked, not its content (the bot does not download uploads): a secret marking in
the name (``机密★关于……的通知.docx``, ``内部资料 注意保存.pdf``) or an extension the policy blocks
(``.exe``, ``.apk``, ``.bat`` …, also hidden behind a harmless one: ``通知.pdf.exe``).

In a file name a bare secret level is a marking when it is bracketed (``（机密）关于….docx``,
``【内部】….pdf``, ``[秘密]….xlsx``) or leads the name before a separator (``绝密-….pdf``): that is how
offices label files, while ``保密协议.docx`` or ``内部控制制度.docx`` name a topic and pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from bot.core.guard.finding import Finding
from bot.core.guard.rules import secret_marking
from bot.core.text.matcher import MatcherStack

_LEVELS = r"(?:绝密|机密|秘密|涉密|内部资料|内部|密件|核心商密|普通商密)"
_TERM = r"(?:\s*[★*☆]\s*[0-9一二三四五六七八九十]*\s*年?)?"  # 机密★5年
_BRACKETED = re.compile(r"[(\[{<【〔〖「『《]\s*" + _LEVELS + _TERM + r"\s*[)\]}>】〕〗」』》]")
_LEADING = re.compile(r"^\s*(?:绝密|机密|秘密|涉密)\s*[-_—–·:：,，、\s]")


def bare_marking(name: str) -> bool:
    """A bracketed or leading bare secret level in a file name (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", name)
    return _BRACKETED.search(folded) is not None or _LEADING.search(folded) is not None


def extension(name: str) -> str:
    """The last extension of a file name, lower case, without the dot (``""`` when none)."""
    base = name.strip().rstrip(".").replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base.lstrip("."):
        return ""
    return base.rsplit(".", 1)[-1].strip().lower()


def findings(
    name: str, stack: MatcherStack, blocked: frozenset[str], bare: Collection[str] = ()
) -> list[Finding]:
    """Findings for a file called ``name``. The secret finding carries no excerpt (not even the
    name: it may be the title of the classified document). ``bare`` are the context rules' bare
    secret levels: in a file name only bracketed or leading ones count (:func:`bare_marking`)."""
    out: list[Finding] = []
    if bare_marking(name) or secret_marking.marked(stack, name, bare):
        out.append(Finding("file_secret"))
    ext = extension(name)
    if ext and ext in blocked:
        out.append(Finding("file_type", f".{ext}"))
    return out

"""Links (huangshan 第十二条（二）/ huangshi 第十条: 病毒链接; yichun 第十条 of its new-media part:
不得链接商业广告页面).

* A link to an allow-listed domain (or a subdomain of one: ``gov.cn`` covers ``www.ah.gov.cn``)
  passes.
* A URL shortener hides where it leads: ``link_shortener``.
* Any other domain: ``link_unknown`` (a policy usually only records these).
* A mini-program or share card (``json`` / ``xml`` / ``share`` segments) whose jump URL is not
  allow-listed, or that has none: ``link_card``.

Bare domains (``abc.com`` without ``http://``) count only with a common top-level domain, so file
names (``报告.docx``) and version numbers (``v1.2``) are not links. The full stop ``。`` and the
full-width dot used to dodge link filters (``t。cn``) count as dots. E-mail addresses are not links.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from bot.core.guard.finding import Finding

_COMMON_TLDS = frozenset(
    "com cn net org gov edu io cc me top xyz vip info biz co tv ly gl app site online shop club link "
    "ink work wang ren tech store fun icu live pro asia name mobi la im gg kr jp hk tw us uk ru de fr "
    "ai dev cloud email group life world today space".split()
)
_DOTS = str.maketrans(
    {"。": ".", "．": ".", "｡": "."} | {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)}
)
_DOT_HINT = re.compile(r"[A-Za-z0-9ａ-ｚＡ-Ｚ０-９][.。．｡][A-Za-zａ-ｚＡ-Ｚ]|:/|：／")
_URL = re.compile(
    r"(?<![a-z0-9@._-])(?P<scheme>(?:https?|ftp)://)?(?P<www>www\.)?"
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?P<tld>[a-z]{2,24}))(?![a-z0-9-])",
    re.IGNORECASE,
)
_IP_URL = re.compile(r"(?:https?|ftp)://(\d{1,3}(?:\.\d{1,3}){3})", re.IGNORECASE)
_CARD_TYPES = frozenset({"json", "xml", "share"})
_JUMP_KEYS = frozenset({"jumpurl", "qqdocurl", "url", "jump_url", "docurl", "contentjumpurl"})
_XML_URL = re.compile(r"""\burl\s*=\s*["'](https?://[^"']+)""", re.IGNORECASE)
_ANY_URL = re.compile(r"""https?://[^\s"'<>\\]+""", re.IGNORECASE)
_HOST_OF = re.compile(r"^[a-z]+://([^/:?#\s]+)", re.IGNORECASE)


class SegmentLike(Protocol):
    """A message segment as the intake records it (``type`` and ``data``)."""

    @property
    def type(self) -> str: ...

    @property
    def data(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class LinkPolicy:
    allow: frozenset[str] = frozenset()
    shorteners: frozenset[str] = frozenset()

    def allowed(self, host: str) -> bool:
        return _under(host, self.allow)

    def shortener(self, host: str) -> bool:
        return _under(host, self.shorteners)


def _under(host: str, domains: frozenset[str]) -> bool:
    """``host`` is one of ``domains`` or a subdomain of one."""
    if host in domains:
        return True
    dot = host.find(".")
    while dot >= 0:
        if host[dot + 1 :] in domains:
            return True
        dot = host.find(".", dot + 1)
    return False


def hosts_in_text(text: str) -> Iterator[str]:
    """Host names of the links written in ``text`` (lower case, in order, repeats included)."""
    if _DOT_HINT.search(text) is None:
        return
    text = text.translate(_DOTS)
    for m in _URL.finditer(text):
        explicit = m.group("scheme") or m.group("www")
        if explicit or m.group("tld").lower() in _COMMON_TLDS:
            yield m.group("host").lower()
    if "://" in text:
        for m in _IP_URL.finditer(text):
            yield m.group(1)


def _jump_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str) and k.lower() in _JUMP_KEYS and v.startswith(("http://", "https://")):
                yield v
            elif isinstance(v, dict | list):
                yield from _jump_urls(v)
    elif isinstance(value, list):
        for item in value:
            yield from _jump_urls(item)


def card_urls(segment: SegmentLike) -> tuple[str, list[str]]:
    """``(title, jump URLs)`` of a card segment; the title is the card's prompt, at most 30 chars."""
    data = segment.data
    if segment.type == "share":
        return str(data.get("title", ""))[:30], [str(data["url"])] if data.get("url") else []
    raw = str(data.get("data", ""))
    if segment.type == "xml":
        urls = _XML_URL.findall(raw) or _ANY_URL.findall(raw)
        return "", urls
    try:
        payload = json.loads(raw)
    except ValueError:
        return "", _ANY_URL.findall(raw.replace("\\/", "/"))
    title = str(payload.get("prompt", "")) if isinstance(payload, dict) else ""
    return title[:30], list(_jump_urls(payload))


def _host(url: str) -> str:
    m = _HOST_OF.match(url.translate(_DOTS))
    return m.group(1).lower() if m else ""


def findings(text: str, segments: Iterable[SegmentLike], policy: LinkPolicy) -> list[Finding]:
    """At most one finding per kind, each naming the first offending host (or card title)."""
    out: dict[str, Finding] = {}

    def judge(host: str, card: bool, title: str = "") -> None:
        if not host:
            out.setdefault("link_card", Finding("link_card", title))
        elif policy.allowed(host):
            return
        elif policy.shortener(host):
            out.setdefault("link_shortener", Finding("link_shortener", host))
        else:
            kind = "link_card" if card else "link_unknown"
            out.setdefault(kind, Finding(kind, host))

    for host in hosts_in_text(text):
        judge(host, card=False)
    for seg in segments:
        if seg.type in _CARD_TYPES:
            title, urls = card_urls(seg)
            if not urls:
                judge("", card=True, title=title)
            for url in urls:
                judge(_host(url), card=True, title=title)
    return list(out.values())

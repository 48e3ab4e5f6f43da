"""What a message carries besides its text: share cards, files, images and forwarded chat records.

The content pass reads text; this module turns the other segments into what the same rules can read
(pure, no I/O):

* **cards** — QQ ``json`` / ``xml`` share cards and mini-programs (as NapCat, Lagrange and LLOneBot
  send them: a JSON *string* in ``data.data``, or XML), ``share``, WeChat ``wx.link`` (ComWeChatBotClient
  spells the title ``tittle`` and the description ``des``) and ``wx.app`` mini-programs: their title and
  description are text for the content pass, their URL goes to the link rules;
* **files** — ``file`` segments: the name (v11 ``file`` / ``name`` / ``file_name``; v12 ``name`` or an
  extension key such as ``wx.name``), for the file rule;
* **images** — where the bytes can be fetched from (``url``, or ``file`` as ``base64://`` / ``file://`` /
  ``http(s)://``), for the QR decoder and OCR, which run off the message path;
* **forwards** — a ``forward`` segment's id (for ``get_forward_msg``) or its inline ``content``, and
  ``node`` segments; :func:`forwarded_messages` normalises the shapes implementations return.

Everything is bounded: card payloads are parsed only up to :data:`MAX_CARD_CHARS`, texts are cut,
nesting is limited (:class:`Budget`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.core.guard.rules.links import SegmentLike

__all__ = [
    "Budget",
    "Card",
    "Carried",
    "ImageRef",
    "Share",
    "card_of",
    "carried",
    "file_name",
    "forwarded_messages",
    "is_plain",
]

# Segments that carry nothing beyond the message text: the clean path skips everything here.
PLAIN_TYPES = frozenset({"text", "at", "face", "mention", "mention_all", "reply", "wx.face", "mface", "dice"})
CARD_TYPES = frozenset({"json", "xml", "share", "wx.link", "wx.app", "ark"})
MAX_CARD_CHARS = 64_000  # a card payload longer than this is not parsed (its URLs are still scanned)
MAX_FIELD_CHARS = 500  # a title or description longer than this is cut
_TEXT_KEYS = ("title", "desc", "description", "tittle", "des", "summary", "prompt", "brief", "tag")
_URL_KEYS = frozenset({"jumpurl", "qqdocurl", "url", "jump_url", "docurl", "contentjumpurl"})
_ANY_URL = re.compile(r"""https?://[^\s"'<>\\]+""", re.IGNORECASE)
_CQ = re.compile(r"\[CQ:[^\]]*\]")


@dataclass(frozen=True, slots=True)
class Share:
    """A card reduced to what the link rules read: a ``share`` segment (``title`` and ``url``)."""

    data: Mapping[str, Any]
    type: str = "share"


@dataclass(frozen=True, slots=True)
class Card:
    """A share card or mini-program: its texts (title, description …) and jump URLs."""

    kind: str  # the segment type
    texts: tuple[str, ...]
    urls: tuple[str, ...]

    @property
    def title(self) -> str:
        return self.texts[0] if self.texts else ""


@dataclass(frozen=True, slots=True)
class ImageRef:
    """Where an image's bytes are: ``http(s)://…``, ``file://…`` or ``base64://…``; ``file_id`` is the
    implementation's own id (v12) when there is nothing else."""

    source: str
    file_id: str = ""


@dataclass(frozen=True, slots=True)
class Carried:
    """What a message carries besides its text."""

    cards: tuple[Card, ...] = ()
    files: tuple[str, ...] = ()
    images: tuple[ImageRef, ...] = ()
    forward_ids: tuple[str, ...] = ()  # forward records to fetch with get_forward_msg
    forwarded: tuple[Sequence[Any], ...] = ()  # forwarded messages already inline (segment lists)

    @property
    def texts(self) -> list[str]:
        return [t for c in self.cards for t in c.texts]

    def shares(self) -> list[Share]:
        """Cards the link rules do not read natively (v12 ``wx.link`` / ``wx.app``), as shares: a
        card without a URL becomes a share without one (the link rule reports it as a card)."""
        out: list[Share] = []
        for c in self.cards:
            if c.kind in ("wx.link", "wx.app", "ark"):
                if not c.urls:
                    out.append(Share({"title": c.title[:30]}))
                out.extend(Share({"title": c.title[:30], "url": u}) for u in c.urls)
        return out

    @property
    def deep(self) -> bool:
        """Whether anything here needs I/O (a forward to fetch, an image to read)."""
        return bool(self.images or self.forward_ids or self.forwarded)

    def __bool__(self) -> bool:
        return bool(self.cards or self.files or self.deep)


@dataclass
class Budget:
    """Bounds for one message's forwarded content (shared across nesting levels)."""

    max_depth: int = 3
    max_messages: int = 200
    max_chars: int = 20_000
    max_images: int = 4
    messages: int = 0
    chars: int = 0
    images: int = 0
    truncated: bool = False

    def take_message(self) -> bool:
        if self.messages >= self.max_messages:
            self.truncated = True
            return False
        self.messages += 1
        return True

    def take_text(self, text: str) -> str:
        room = self.max_chars - self.chars
        if room <= 0:
            self.truncated = True
            return ""
        if len(text) > room:
            self.truncated = True
            text = text[:room]
        self.chars += len(text)
        return text

    def take_image(self) -> bool:
        if self.images >= self.max_images:
            self.truncated = True
            return False
        self.images += 1
        return True


def is_plain(segments: Iterable[SegmentLike]) -> bool:
    """True when every segment is text-like: nothing else to extract (the common case)."""
    return all(s.type in PLAIN_TYPES for s in segments)


def _cut(value: Any) -> str:
    return str(value).strip()[:MAX_FIELD_CHARS] if value is not None else ""


def _walk_json(value: Any, texts: list[str], urls: list[str], depth: int = 0) -> None:
    if depth > 12:
        return
    if isinstance(value, Mapping):
        for k, v in value.items():
            key = str(k).lower()
            if isinstance(v, str):
                if key in _URL_KEYS and v.startswith(("http://", "https://")):
                    urls.append(v)
                elif key in _TEXT_KEYS and v.strip():
                    texts.append(_cut(v))
            elif isinstance(v, Mapping | list):
                _walk_json(v, texts, urls, depth + 1)
    elif isinstance(value, list):
        for item in value[:50]:
            _walk_json(item, texts, urls, depth + 1)


def _json_card(raw: str) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    urls: list[str] = []
    if len(raw) > MAX_CARD_CHARS:
        return texts, _ANY_URL.findall(raw[:MAX_CARD_CHARS].replace("\\/", "/"))
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return texts, _ANY_URL.findall(raw.replace("\\/", "/"))
    _walk_json(payload, texts, urls)
    return texts, urls


def _xml_card(raw: str) -> tuple[list[str], list[str]]:
    texts: list[str] = []
    urls: list[str] = []
    if len(raw) > MAX_CARD_CHARS or "<!ENTITY" in raw or "<!DOCTYPE" in raw:  # no entity expansion
        return texts, _ANY_URL.findall(raw[:MAX_CARD_CHARS])
    try:
        root = ET.fromstring(raw)
    except ET.ParseError:
        return texts, _ANY_URL.findall(raw)
    for el in root.iter():
        for k, v in el.attrib.items():
            key = k.lower()
            if key in _URL_KEYS and v.startswith(("http://", "https://")):
                urls.append(v)
            elif key in _TEXT_KEYS and v.strip():
                texts.append(_cut(v))
        if el.tag.lower() in _TEXT_KEYS and el.text and el.text.strip():
            texts.append(_cut(el.text))
        elif el.tag.lower() in _URL_KEYS and el.text and el.text.strip().startswith("http"):
            urls.append(el.text.strip())
    return texts, urls


def card_of(seg: SegmentLike) -> Card | None:
    """The card a segment carries (None for other segments)."""
    data = seg.data
    if seg.type in ("json", "ark"):
        texts, urls = _json_card(str(data.get("data", "")))
    elif seg.type == "xml":
        texts, urls = _xml_card(str(data.get("data", "")))
    elif seg.type in ("share", "wx.link", "wx.app"):
        texts = [
            _cut(data[k])
            for k in ("title", "tittle", "content", "description", "des")
            if isinstance(data.get(k), str) and data[k].strip()
        ]
        url = data.get("url")
        urls = [url.strip()] if isinstance(url, str) and url.strip() else []
    else:
        return None
    return Card(seg.type, tuple(dict.fromkeys(texts)), tuple(dict.fromkeys(urls)))


_NAME_KEYS = ("name", "file_name", "wx.name", "wx.file_name", "filename")


def file_name(seg: SegmentLike) -> str:
    """A ``file`` segment's file name ("" when the segment carries none, e.g. a bare v12 file_id)."""
    data = seg.data
    for key in _NAME_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_FIELD_CHARS]
    value = data.get("file")  # NapCat / LLOneBot: the name; go-cqhttp: the name or a path
    if isinstance(value, str) and value.strip() and not value.startswith(("base64://", "http")):
        return value.replace("\\", "/").rsplit("/", 1)[-1].strip()[:MAX_FIELD_CHARS]
    return ""


def _image(seg: SegmentLike) -> ImageRef | None:
    data = seg.data
    url = data.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return ImageRef(url)
    file = data.get("file")
    if isinstance(file, str) and file.startswith(("base64://", "file://", "http://", "https://")):
        return ImageRef(file)
    file_id = data.get("file_id")
    if isinstance(file_id, str) and file_id:
        return ImageRef("", file_id)
    return None


def carried(segments: Iterable[SegmentLike]) -> Carried:
    """Everything the segments carry besides text (cheap; no I/O)."""
    cards: list[Card] = []
    files: list[str] = []
    images: list[ImageRef] = []
    forward_ids: list[str] = []
    forwarded: list[Sequence[Any]] = []
    for seg in segments:
        t = seg.type
        if t in PLAIN_TYPES:
            continue
        if t in CARD_TYPES:
            card = card_of(seg)
            if card is not None:
                cards.append(card)
        elif t == "file":
            name = file_name(seg)
            if name:
                files.append(name)
        elif t == "image":
            ref = _image(seg)
            if ref is not None and (ref.source or ref.file_id):
                images.append(ref)
        elif t in ("forward", "node"):
            content = seg.data.get("content")
            if isinstance(content, list) and content:
                forwarded.append(content)
            else:
                fid = seg.data.get("id") or seg.data.get("message_id") or seg.data.get("res_id")
                if fid:
                    forward_ids.append(str(fid))
    return Carried(tuple(cards), tuple(files), tuple(images), tuple(forward_ids), tuple(forwarded))


@dataclass(frozen=True, slots=True)
class _Seg:
    type: str
    data: Mapping[str, Any]


def _segments(value: Any) -> list[_Seg]:
    """Segment list from a message value: a list of ``{type, data}``, one such dict, or a CQ string."""
    if isinstance(value, str):
        text = _CQ.sub(" ", value)
        return [_Seg("text", {"text": text})] if text.strip() else []
    if isinstance(value, Mapping):
        value = [value]
    if not isinstance(value, list):
        return []
    out = []
    for s in value:
        if isinstance(s, Mapping) and isinstance(s.get("type"), str):
            data = s.get("data")
            out.append(_Seg(s["type"], data if isinstance(data, Mapping) else {}))
    return out


def _message_of(item: Any) -> list[_Seg]:
    """One forwarded message in any implementation's shape: NapCat / LLOneBot ``{message: [...]}``,
    go-cqhttp ``{content: [...]}`` (or a CQ string), Lagrange ``{type: "node", data: {content}}``."""
    if not isinstance(item, Mapping):
        return []
    if item.get("type") == "node" and isinstance(item.get("data"), Mapping):
        item = item["data"]
    for key in ("message", "content"):
        if key in item:
            return _segments(item[key])
    return []


def forwarded_messages(response: Any) -> list[list[_Seg]]:
    """The messages of a ``get_forward_msg`` answer (``{messages: [...]}`` or a bare list; Lagrange
    and some versions answer with ``{message: [...]}``)."""
    if isinstance(response, Mapping):
        items = response.get("messages", response.get("message", []))
    else:
        items = response
    if not isinstance(items, list):
        return []
    return [m for m in (_message_of(i) for i in items) if m]


@dataclass
class Collected:
    """What a forwarded record holds, flattened (texts for the content pass, cards for the link
    rules, file names for the file rule, images for the QR decoder and OCR)."""

    texts: list[str] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    pending: list[tuple[str, int]] = field(default_factory=list)  # (forward id, depth) still to fetch

    def shares(self) -> list[SegmentLike]:
        """All cards as what the link rules read (``share`` segments)."""
        out: list[SegmentLike] = []
        for c in self.cards:
            if not c.urls:
                out.append(Share({"title": c.title[:30]}))
            out.extend(Share({"title": c.title[:30], "url": u}) for u in c.urls)
        return out


def collect(messages: Iterable[Sequence[SegmentLike]], budget: Budget, out: Collected, depth: int) -> None:
    """Flatten forwarded messages into ``out`` within ``budget``; nested records already inline are
    walked (up to ``budget.max_depth``), others are left in ``out.pending`` for the caller to fetch."""
    if depth > budget.max_depth:
        budget.truncated = True
        return
    for message in messages:
        if not budget.take_message():
            return
        segs = [s if isinstance(s, _Seg) else _Seg(s.type, s.data) for s in message]
        text = "".join(str(s.data.get("text", "")) for s in segs if s.type == "text")
        if text.strip():
            kept = budget.take_text(text)
            if kept:
                out.texts.append(kept)
        inner = carried(segs)
        out.cards.extend(inner.cards)
        out.files.extend(inner.files)
        for ref in inner.images:
            if ref.source and budget.take_image():
                out.images.append(ref)
        for content in inner.forwarded:
            collect([m for m in (_message_of(i) for i in content) if m], budget, out, depth + 1)
        for fid in inner.forward_ids:
            if depth + 1 > budget.max_depth:
                budget.truncated = True
            else:
                out.pending.append((fid, depth + 1))


def forward_texts(messages: Iterable[Sequence[SegmentLike]]) -> Iterator[str]:
    """The plain texts of forwarded messages (for tests and the bench)."""
    out = Collected()
    collect(messages, Budget(), out, 1)
    yield from out.texts


def coverage(platform: str, *, ocr: bool) -> str:
    """What the content guard reads on this platform, and what it does not (for /帮助)."""
    if platform == "wechat":
        pictures = "图片中的二维码和文字" if ocr else "图片中的二维码"
        return (
            f"内容巡查检查：文字、链接卡片与小程序（标题、摘要、链接）、文件名（含（机密）【内部】等标识）、{pictures}。"
            "不检查：语音、视频、文件内容"
            + ("" if ocr else "、图片中的文字（未安装识别组件）")
            + "；微信的聊天记录（合并转发）本实现不推送，无法检查。"
        )
    seen = (
        "文字、分享卡片与小程序（标题、摘要、链接）、群文件和文件消息的文件名（含（机密）【内部】等标识）、"
    )
    seen += "合并转发的聊天记录（含嵌套，最多 200 条）、图片中的二维码"
    if ocr:
        seen += "、图片中的文字"
    return f"内容巡查检查：{seen}。不检查：语音、视频、文件内容" + (
        "。" if ocr else "、图片中的文字（未安装识别组件）。"
    )

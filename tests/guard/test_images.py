"""Pictures as text: QR codes (zxing-cpp) and OCR (the optional ``ocr`` extra), on pictures generated
here — a QR code alone, two in one picture, one inside a larger screenshot — and hostile bytes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
from PIL import Image, ImageDraw, ImageFont

from bot.core.guard import ContentGuard, GuardInput
from bot.core.guard import images as img
from tests.guard.conftest import config

CJK_FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
]
CJK_FONT = next((f for f in CJK_FONTS if Path(f).exists()), None)


def qr(payload: str, scale: int = 6) -> Image.Image:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def png(picture: Image.Image, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt)
    return out.getvalue()


def screenshot(*codes: str) -> bytes:
    """A chat screenshot: a wide light-grey page with the codes pasted at different places."""
    page = Image.new("RGB", (1080, 1920), (243, 243, 243))
    draw = ImageDraw.Draw(page)
    for y in range(40, 1900, 90):
        draw.rectangle((40, y, 700, y + 50), fill=(255, 255, 255))
    for i, code in enumerate(codes):
        page.paste(qr(code, scale=5), (120 + 420 * (i % 2), 500 + 600 * (i // 2)))
    return png(page, "JPEG")


@pytest.mark.parametrize(
    ("picture", "texts"),
    [
        (png(qr("http://t.cn/A6xYz12q")), ["http://t.cn/A6xYz12q"]),
        (png(qr("https://weixin.qq.com/g/AwYAAKxyz123")), ["https://weixin.qq.com/g/AwYAAKxyz123"]),
        (screenshot("https://butie-renzheng.top/a?id=3"), ["https://butie-renzheng.top/a?id=3"]),
        (screenshot("http://t.cn/one", "https://dwz.cn/two"), ["http://t.cn/one", "https://dwz.cn/two"]),
        (png(Image.new("RGB", (640, 480), "white")), []),
    ],
)
def test_qr_codes(picture: bytes, texts: list[str]) -> None:
    assert sorted(img.qr_texts(img.decode(picture))) == sorted(texts)


def test_qr_links_meet_the_link_rules() -> None:
    [code] = img.qr_texts(img.decode(png(qr("http://t.cn/A6xYz12q"))))
    found = ContentGuard().check(GuardInput(code), config(), remember=False)
    assert [(f.kind, f.excerpt) for f in found] == [("link_shortener", "t.cn")]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        png(qr("x"))[:60],  # truncated
        b"GIF89a" + b"\x00" * 20,
    ],
)
def test_unreadable_bytes_are_refused(data: bytes) -> None:
    with pytest.raises(img.ImageError):
        img.decode(data)


def test_huge_pictures_are_refused_before_decoding() -> None:
    big = png(Image.new("1", (8000, 8000)))  # 64 M pixels, a few kB of PNG
    with pytest.raises(img.ImageError, match="too large"):
        img.decode(big)


# --- OCR (optional extra) ----------------------------------------------------------------------

needs_ocr = pytest.mark.skipif(
    not img.ocr_available(), reason="OCR needs the optional extra: pip install -e '.[ocr]'"
)


def _text_picture(lines: list[str], font: ImageFont.ImageFont | ImageFont.FreeTypeFont) -> bytes:
    page = Image.new("RGB", (1000, 80 + 70 * len(lines)), "white")
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((30, 30 + 70 * i), line, fill="black", font=font)
    return png(page)


@needs_ocr
def test_ocr_reads_a_link_in_a_picture() -> None:
    picture = _text_picture(["Scan now: http://t.cn/A6xYz12q"], ImageFont.load_default(size=36))
    text = img.ocr_text(img.decode(picture))
    assert "t.cn/A6xYz12q" in text.replace(" ", "")
    found = ContentGuard().check(GuardInput(text), config(), remember=False)
    assert "link_shortener" in {f.kind for f in found}


@needs_ocr
def test_ocr_reads_chinese_into_the_content_pass() -> None:
    if CJK_FONT is None:
        pytest.skip("no CJK font here to draw Chinese text with (apt-get install fonts-wqy-microhei)")
    font = ImageFont.truetype(CJK_FONT, 36)
    picture = _text_picture(["澳门赌场上线了", "首充送彩金，私聊拉你进群"], font)
    text = img.ocr_text(img.decode(picture))
    found = ContentGuard().check(GuardInput(text), config(), remember=False)
    assert "gambling" in {f.kind for f in found}
    clean = img.ocr_text(img.decode(_text_picture(["下午三点在三楼会议室开会"], font)))
    assert ContentGuard().check(GuardInput(clean), config(), remember=False) == []


def test_without_the_extra_ocr_reads_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(img._ocr_state, "checked", True)
    monkeypatch.setitem(img._ocr_state, "available", False)
    assert img.ocr_text(img.decode(png(qr("x")))) == ""

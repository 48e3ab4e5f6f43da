"""What the guard's "more than text" costs (run by hand, not in CI). JSON lines on stdout.

* ``qr``   — per picture: decoding the bytes (Pillow, grey scale) and reading QR codes (zxing-cpp), on
             pictures generated here: a bare QR code (PNG), a 1080×1920 chat screenshot with a code
             (JPEG), the same screenshot without one (the common case: most pictures carry none),
             and a 4000×3000 photo-like picture (JPEG noise, scaled down before decoding).
* ``ocr``  — per picture, when the ``ocr`` extra is installed: the text in the screenshot and in a
             wide banner of Chinese text (rapidocr-onnxruntime, one thread, as the bot runs it);
             the first call (model load) reported apart.
* ``message_path`` — what the message path pays for all this: the check that a message is plain
             text (every message), and the synchronous card pass (a QQ share card, a WeChat
             ``wx.link``) through the default lexicons — pictures and forwards cost the message path
             only a queue put.

Medians of ``--runs`` timed repetitions (default 15) after one warm-up. Name the machine when you
quote the figures (``cpus`` and ``load`` are in the config line).

Run: ``python bench/guard_media.py [--runs N] [--no-ocr]``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import segno  # noqa: E402
from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from bot.core.guard import ContentGuard, GuardInput, compile_config  # noqa: E402
from bot.core.guard import images as img  # noqa: E402
from bot.core.guard.carried import carried, is_plain  # noqa: E402
from bot.intake.record import Segment  # noqa: E402
from bot.policy import load_policy  # noqa: E402

FONTS = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]


def emit(**record: object) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


def _png(picture: Image.Image, fmt: str = "PNG", **kw: object) -> bytes:
    out = io.BytesIO()
    picture.save(out, fmt, **kw)
    return out.getvalue()


def _qr(payload: str, scale: int = 6) -> Image.Image:
    out = io.BytesIO()
    segno.make(payload, error="m").save(out, kind="png", scale=scale, border=4)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for f in FONTS:
        if Path(f).exists():
            return ImageFont.truetype(f, size)
    return ImageFont.load_default(size=size)


def _screenshot(with_code: bool) -> bytes:
    page = Image.new("RGB", (1080, 1920), (243, 243, 243))
    draw = ImageDraw.Draw(page)
    font = _font(34)
    lines = [
        "各位同事：本周五下午三点召开季度工作会议",
        "请各科室负责人准时参加，并提前准备材料",
        "收到",
        "好的",
    ]
    for i, y in enumerate(range(60, 1880, 110)):
        draw.rectangle((40, y, 900, y + 70), fill=(255, 255, 255))
        draw.text((60, y + 14), lines[i % len(lines)], fill=(20, 20, 20), font=font)
    if with_code:
        page.paste(_qr("https://butie-renzheng.top/a?id=3", scale=5), (300, 700))
    return _png(page, "JPEG", quality=85)


def _photo() -> bytes:
    rnd = random.Random(7)
    small = Image.frombytes("RGB", (400, 300), bytes(rnd.randrange(256) for _ in range(400 * 300 * 3)))
    return _png(small.resize((4000, 3000), Image.Resampling.BICUBIC), "JPEG", quality=80)


def _banner() -> bytes:
    page = Image.new("RGB", (1200, 260), "white")
    draw = ImageDraw.Draw(page)
    font = _font(44)
    draw.text((30, 40), "兼职刷单，日结三百，加V：abc12345", fill="black", font=font)
    draw.text((30, 150), "扫码认证领取补贴 http://t.cn/A6xYz12q", fill="black", font=font)
    return _png(page)


def _median_ms(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), times


def bench_qr(runs: int) -> None:
    pictures = {
        "qr_png_300px": _png(_qr("http://t.cn/A6xYz12q")),
        "screenshot_1080x1920_with_code": _screenshot(True),
        "screenshot_1080x1920_no_code": _screenshot(False),
        "photo_4000x3000_no_code": _photo(),
    }
    for name, data in pictures.items():
        decode_ms, _ = _median_ms(lambda d=data: img.decode(d), runs)
        decoded = img.decode(data)
        qr_ms, times = _median_ms(lambda p=decoded: img.qr_texts(p), runs)
        emit(
            bench="guard_media",
            part="qr",
            picture=name,
            bytes=len(data),
            found=img.qr_texts(decoded),
            decode_ms_median=round(decode_ms, 2),
            qr_ms_median=round(qr_ms, 2),
            total_ms_median=round(decode_ms + qr_ms, 2),
            qr_ms_min=round(min(times), 2),
            qr_ms_max=round(max(times), 2),
            runs=runs,
        )


def bench_ocr(runs: int) -> None:
    if not img.ocr_available():
        emit(
            bench="guard_media",
            part="ocr",
            skipped="the ocr extra is not installed (pip install -e '.[ocr]')",
        )
        return
    banner = img.decode(_banner())
    t = time.perf_counter()
    img.ocr_text(banner)
    emit(bench="guard_media", part="ocr", first_call_ms=round((time.perf_counter() - t) * 1000, 1))
    for name, data in {
        "banner_1200x260": _banner(),
        "screenshot_1080x1920_no_code": _screenshot(False),
    }.items():
        decoded = img.decode(data)
        ms, times = _median_ms(lambda p=decoded: img.ocr_text(p), runs)
        emit(
            bench="guard_media",
            part="ocr",
            picture=name,
            text=img.ocr_text(decoded)[:80],
            ocr_ms_median=round(ms, 1),
            ocr_ms_min=round(min(times), 1),
            ocr_ms_max=round(max(times), 1),
            runs=runs,
        )


def bench_message_path(runs: int) -> None:
    from bot.core.text import MatcherStack, load_dir

    preset = load_policy(ROOT / "tests" / "data" / "policy.toml").for_group("100").preset
    cfg = compile_config(preset.guard, MatcherStack([load_dir().matcher()]))
    guard = ContentGuard()
    plain = (Segment("text", {"text": "收到，下午的会我准时参加。"}), Segment("at", {"qq": "30001"}))
    share = Segment(
        "json",
        {
            "data": json.dumps(
                {
                    "app": "com.tencent.structmsg",
                    "prompt": "[分享]关于开展安全生产检查的通知",
                    "meta": {
                        "news": {
                            "title": "关于开展安全生产检查的通知",
                            "desc": "请各单位按要求落实",
                            "jumpUrl": "https://www.gov.cn/zhengce/abc.htm",
                        }
                    },
                },
                ensure_ascii=False,
            )
        },
    )
    link = Segment(
        "wx.link",
        {"tittle": "周例会材料", "des": "请提前阅读", "url": "https://docs.qq.com/doc/x", "image": ""},
    )
    n = 20_000

    def loop(fn: Callable[[], object]) -> float:
        t = time.perf_counter()
        for _ in range(n):
            fn()
        return (time.perf_counter() - t) / n * 1e6

    def card_pass(seg: Segment) -> Callable[[], object]:
        def run() -> object:
            what = carried((seg,))
            text = "\n".join(what.texts)
            return guard.check(GuardInput(text, tuple(what.shares())), cfg, remember=False)

        return run

    for name, fn in {
        "is_plain_text_message": lambda: is_plain(plain),
        "card_pass_qq_share": card_pass(share),
        "card_pass_wx_link": card_pass(link),
    }.items():
        fn()
        us = statistics.median(loop(fn) for _ in range(max(3, runs // 5)))
        emit(bench="guard_media", part="message_path", case=name, us_median=round(us, 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--no-ocr", action="store_true")
    args = parser.parse_args()
    emit(
        bench="guard_media",
        config=True,
        runs=args.runs,
        cpus=os.cpu_count(),
        load=[round(x, 2) for x in os.getloadavg()],
        ocr_installed=img.ocr_available(),
    )
    bench_qr(args.runs)
    if not args.no_ocr:
        bench_ocr(max(3, args.runs // 3))
    bench_message_path(args.runs)


if __name__ == "__main__":
    main()

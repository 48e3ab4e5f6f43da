"""Images as text: QR codes decoded (zxing-cpp) and, when the ``ocr`` extra is installed, the text in
the picture read by OCR (rapidocr-onnxruntime, whose wheel ships its models).

CPU-bound and synchronous: the caller runs these in a worker thread, never on the event loop. No
I/O beyond the bytes handed in. Images are bounded before decoding (bytes, pixels) and scaled
down before OCR, so a huge or hostile picture costs a bounded amount of work.
"""

from __future__ import annotations

import io
import threading
import warnings
from dataclasses import dataclass
from typing import Any

from PIL import Image

__all__ = ["ImageError", "decode", "ocr_available", "ocr_text", "qr_texts"]

MAX_PIXELS = 25_000_000  # 5000 × 5000; Pillow's own bomb check would allow ~89 M
QR_MAX_SIDE = 2000  # larger pictures are scaled down before QR decoding (QR codes stay readable)
OCR_MAX_SIDE = 1600
OCR_MIN_SCORE = 0.5


class ImageError(ValueError):
    """The bytes are not an image the bot will read (unknown format, too large, truncated)."""


@dataclass(frozen=True, slots=True)
class Decoded:
    image: Image.Image  # grey scale, at most MAX_PIXELS
    width: int
    height: int


def decode(data: bytes) -> Decoded:
    """Grey-scale image from PNG / JPEG / GIF / WebP / BMP bytes (the first frame of an animation)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            if img.format == "JPEG":
                # JPEG decodes at 1/2, 1/4 or 1/8 scale for a fraction of the cost: a 48 MP phone
                # photo is read at about QR_MAX_SIDE, and is not refused as too large.
                img.draft("L", (QR_MAX_SIDE, QR_MAX_SIDE))
            w, h = img.size
            if w * h > MAX_PIXELS:
                raise ImageError(f"image too large: {w}x{h}")
            img.load()
    except ImageError:
        raise
    except (
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as e:
        raise ImageError(f"not a readable image: {type(e).__name__}") from e
    grey = img.convert("L")
    return Decoded(grey, w, h)


def _scaled(img: Image.Image, side: int) -> Image.Image:
    w, h = img.size
    if max(w, h) <= side:
        return img
    k = side / max(w, h)
    return img.resize((max(1, int(w * k)), max(1, int(h * k))), Image.Resampling.BILINEAR)


def qr_texts(decoded: Decoded) -> list[str]:
    """The contents of the QR codes in the picture (several codes, each once, in reading order)."""
    import zxingcpp  # imported here: the module stays importable for tests that only build images

    img = _scaled(decoded.image, QR_MAX_SIDE)
    formats = zxingcpp.barcode_formats_from_str("QRCode,MicroQRCode")
    found = zxingcpp.read_barcodes(img, formats=formats)  # tries downscaled copies itself
    return list(dict.fromkeys(r.text for r in found if r.valid and r.text))


_ocr_lock = threading.Lock()
_ocr_engine: Any = None
_ocr_state = {"checked": False, "available": False}


def ocr_available() -> bool:
    """Whether the ``ocr`` extra is installed (checked once, without loading the models)."""
    if not _ocr_state["checked"]:
        import importlib.util

        _ocr_state["available"] = importlib.util.find_spec("rapidocr_onnxruntime") is not None
        _ocr_state["checked"] = True
    return _ocr_state["available"]


def _engine() -> Any:
    global _ocr_engine
    with _ocr_lock:
        if _ocr_engine is None:
            from rapidocr_onnxruntime import RapidOCR

            # One thread each: OCR must not take both cores from the event loop. Detection on the
            # longer side capped at 960 px (the default caps the *shorter* side at 736, which blows
            # a wide screenshot up several times); no angle classifier (screenshots are upright).
            _ocr_engine = RapidOCR(
                det_limit_side_len=960,
                det_limit_type="max",
                intra_op_num_threads=1,
                inter_op_num_threads=1,
                use_cls=False,
            )
        return _ocr_engine


def ocr_text(decoded: Decoded) -> str:
    """The text in the picture, line by line ("" when the extra is not installed or nothing is read).
    The first call loads the models (about a second)."""
    if not ocr_available():
        return ""
    import numpy as np

    img = _scaled(decoded.image, OCR_MAX_SIDE).convert("RGB")
    result, _ = _engine()(np.asarray(img))
    if not result:
        return ""
    lines = [str(text) for _box, text, score in result if float(score) >= OCR_MIN_SCORE]
    return "\n".join(lines)

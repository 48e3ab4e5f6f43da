"""The guard beyond a message's text: cards and file names on the message path (cheap, no I/O);
forwarded records (合并转发) and images off it, on bounded queues with time budgets.

* :func:`with_carried` — the synchronous part: card titles and descriptions through the same content
  pass, v12 cards (``wx.link`` / ``wx.app``) through the link rules, file names through the file rule;
  its findings join the message's own in one verdict.
* :class:`DeepChecks` — the asynchronous part. A message with a forward or an image is queued (a
  bounded queue: when full, the check is skipped and counted, never the message delayed); one worker
  fetches the forwarded record through the gateway (``get_forward_msg``, nested records too, bounded
  by :class:`bot.core.guard.carried.Budget`) and the images (bounded bytes, timeout), decodes QR codes
  in a thread, and feeds all text to the same content pass. OCR (the optional ``ocr`` extra) has its
  own smaller queue and worker: it costs hundreds of milliseconds a picture. A verdict is enforced as
  for any message: the message (the forward, the picture) is recalled where the platform allows, the
  sender warned with the group's own citation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from loguru import logger

from bot.core.guard import Finding, GuardInput, Verdict, decide
from bot.core.guard import images as img
from bot.core.guard.carried import Budget, Carried, Collected, ImageRef, carried, collect, forwarded_messages
from bot.core.guard.finding import Act
from bot.core.guard.rules.keywords import SECRET
from bot.core.guard.rules.links import SegmentLike
from bot.core.guard.verdict import acts_for
from bot.gateway.base import GatewayError
from bot.intake.record import MessageRecord
from bot.plugins.guard import fetch
from bot.plugins.guard.state import Compiled, state
from bot.runtime import Runtime

QUEUE_SIZE = 64
OCR_QUEUE_SIZE = 8
JOB_BUDGET = 20.0  # seconds for one message's forwards, downloads and QR decoding
FETCH_TIMEOUT = 6.0  # one get_forward_msg
MAX_FETCHES = 8  # get_forward_msg calls per message (nested records included)
OCR_BUDGET = 30.0  # one picture's OCR (a full-page screenshot: 10–14 s on a loaded 2-core machine)
MAX_AGE = 120.0  # a job that waited longer than this is stale: skipped (the moment has passed)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, str]] = set()
    out = []
    for f in findings:
        key = (f.kind, f.excerpt)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def judge_extra(
    c: Compiled,
    rec: MessageRecord,
    texts: Sequence[str],
    shares: Sequence[SegmentLike] = (),
    files: Sequence[str] = (),
) -> list[Finding]:
    """Findings of the content pass over carried text (a dry run: the repeat and flood memory are
    for what members type, not what they forward), the link rules over ``shares``, and the file rule
    over ``files``."""
    found: list[Finding] = []
    text = "\n".join(t for t in texts if t)
    if text or shares:
        msg = GuardInput(text, tuple(shares), rec.group_id, rec.user_id, rec.message_id, None, c.scope)
        found.extend(state.engine.check(msg, c.cfg, remember=False))
    for name in files:
        found.extend(state.engine.check_file(name, c.cfg))
    return found


class RecentFiles:
    """Files judged in the last minutes, by group, sender and name: implementations that report an
    upload both as a notice and as a message with a ``file`` segment (NapCat) get one warning."""

    def __init__(self, ttl: float = 300.0, capacity: int = 4096) -> None:
        self.ttl, self.capacity = ttl, capacity
        self._seen: dict[tuple[str, str, str, str], float] = {}

    def first(self, platform: str, group_id: str, user_id: str, name: str) -> bool:
        """True the first time a file is seen within ``ttl`` (and remembers it)."""
        now = time.monotonic()
        key = (platform, group_id, user_id, name)
        at = self._seen.get(key)
        if at is not None and now - at < self.ttl:
            return False
        if len(self._seen) >= self.capacity:
            cutoff = now - self.ttl
            self._seen = {k: t for k, t in self._seen.items() if t > cutoff}
            while len(self._seen) >= self.capacity:
                self._seen.pop(next(iter(self._seen)))
        self._seen[key] = now
        return True

    def clear(self) -> None:
        self._seen.clear()


recent_files = RecentFiles()


def with_carried(rec: MessageRecord, c: Compiled, verdict: Verdict | None) -> tuple[Verdict | None, Carried]:
    """The message's verdict with its cards and file names judged too (synchronous, no I/O)."""
    what = carried(rec.segments)
    if not (what.cards or what.files):
        return verdict, what
    files = [n for n in what.files if recent_files.first(rec.platform, rec.group_id, rec.user_id, n)]
    extra = judge_extra(c, rec, what.texts, what.shares(), files)
    if not extra:
        return verdict, what
    findings = _dedupe([*(verdict.findings if verdict is not None else ()), *extra])
    merged = decide(findings, c.cfg.actions, c.cfg.serious)
    if merged is not None and any(f.kind == "file_secret" for f in extra):
        # A file sent as a message can be recalled like one: the group's policy for secret-marked
        # messages applies as well as the one for uploads (which the bot cannot delete).
        merged = dataclasses.replace(merged, acts=merged.acts | acts_for(SECRET, c.cfg.actions))
    return merged, what


@dataclass
class DeepCounters:
    queued: int = 0
    dropped: int = 0  # queue full: not checked
    stale: int = 0
    timed_out: int = 0
    forwards: int = 0
    forward_failed: int = 0
    images: int = 0
    image_failed: int = 0
    qr_codes: int = 0
    ocr_done: int = 0
    ocr_dropped: int = 0
    acted: int = 0
    qr_seconds: list[float] = field(default_factory=list)  # last few decode times (for /状态)


@dataclass
class _Job:
    rec: MessageRecord
    what: Carried
    exempt: bool
    queued_at: float


@dataclass
class _OcrJob:
    rec: MessageRecord
    picture: img.Decoded
    exempt: bool
    source: str
    queued_at: float


class DeepChecks:
    """The off-path checks' queues and workers (started on first use, on the running loop)."""

    def __init__(self, queue_size: int = QUEUE_SIZE, ocr_queue_size: int = OCR_QUEUE_SIZE) -> None:
        self.queue_size, self.ocr_queue_size = queue_size, ocr_queue_size
        self.counters = DeepCounters()
        self._queue: asyncio.Queue[_Job] | None = None
        self._ocr: asyncio.Queue[_OcrJob] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._busy = 0

    # --- queueing -------------------------------------------------------------------------------

    def _start(self, rt: Runtime) -> None:
        if self._queue is not None and all(not t.done() for t in self._tasks):
            return
        self._queue = asyncio.Queue(self.queue_size)
        self._ocr = asyncio.Queue(self.ocr_queue_size)
        self._tasks = [
            asyncio.create_task(self._worker(rt), name="guard-deep"),
            asyncio.create_task(self._ocr_worker(rt), name="guard-ocr"),
        ]

    def submit(self, rt: Runtime, rec: MessageRecord, what: Carried, *, exempt: bool) -> bool:
        """Queue the message's forwards and images; False (counted) when the queue is full."""
        self._start(rt)
        assert self._queue is not None
        try:
            self._queue.put_nowait(_Job(rec, what, exempt, time.monotonic()))
        except asyncio.QueueFull:
            self.counters.dropped += 1
            logger.warning(
                f"guard: deep-check queue full, message {rec.message_id} in {rec.group_id} skipped"
            )
            return False
        self.counters.queued += 1
        return True

    @property
    def pending(self) -> int:
        q, o = self._queue, self._ocr
        return (q.qsize() if q else 0) + (o.qsize() if o else 0) + self._busy

    async def idle(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109 - test-facing
        """Wait until both queues are empty and nothing is running (tests and the bench)."""
        deadline = time.monotonic() + timeout
        while self.pending and time.monotonic() < deadline:  # noqa: ASYNC110 - three sources
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            try:
                await t
            except (asyncio.CancelledError, Exception):
                pass
        self._tasks, self._queue, self._ocr = [], None, None
        await fetch.close()

    # --- the workers ----------------------------------------------------------------------------

    async def _worker(self, rt: Runtime) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            job = await queue.get()
            self._busy += 1
            try:
                if time.monotonic() - job.queued_at > MAX_AGE:
                    self.counters.stale += 1
                    continue
                async with asyncio.timeout(JOB_BUDGET):
                    await self._run(rt, job)
            except TimeoutError:
                self.counters.timed_out += 1
                logger.warning(f"guard: deep check of {job.rec.message_id} exceeded {JOB_BUDGET:.0f} s")
            except Exception:
                logger.exception(f"guard: deep check of {job.rec.message_id} failed")
            finally:
                self._busy -= 1
                queue.task_done()

    async def _ocr_worker(self, rt: Runtime) -> None:
        assert self._ocr is not None
        queue = self._ocr
        while True:
            job = await queue.get()
            self._busy += 1
            try:
                if time.monotonic() - job.queued_at > MAX_AGE:
                    self.counters.stale += 1
                    continue
                work = asyncio.ensure_future(asyncio.to_thread(img.ocr_text, job.picture))
                try:
                    text = await asyncio.wait_for(asyncio.shield(work), OCR_BUDGET)
                except TimeoutError:
                    self.counters.timed_out += 1
                    logger.warning(f"guard: OCR of {job.rec.message_id} exceeded {OCR_BUDGET:.0f} s")
                    await work  # a thread cannot be stopped: let it finish before the next picture
                    continue
                self.counters.ocr_done += 1
                if text.strip():
                    c = state.compiled(rt, job.rec.group_id)
                    await self._act(rt, job.rec, c, judge_extra(c, job.rec, [text]), job.exempt, job.source)
            except Exception:
                logger.exception(f"guard: OCR of {job.rec.message_id} failed")
            finally:
                self._busy -= 1
                queue.task_done()

    async def _run(self, rt: Runtime, job: _Job) -> None:
        rec, what = job.rec, job.what
        c = state.compiled(rt, rec.group_id)
        pictures: list[tuple[ImageRef, str]] = [(ref, "image") for ref in what.images[: Budget.max_images]]
        if what.forward_ids or what.forwarded:
            got = await self._forwarded(rt, rec, what)
            found = judge_extra(c, rec, got.texts, got.shares(), got.files)
            if await self._act(rt, rec, c, found, job.exempt, "forward"):
                return
            pictures.extend((ref, "forward") for ref in got.images)
        for ref, source in pictures:
            picture = await self._picture(rt, rec, ref)
            if picture is None:
                continue
            started = time.perf_counter()
            codes = await asyncio.to_thread(img.qr_texts, picture)
            self._note_qr(time.perf_counter() - started)
            if codes:
                self.counters.qr_codes += len(codes)
                if await self._act(rt, rec, c, judge_extra(c, rec, codes), job.exempt, source, qr=True):
                    return
            if img.ocr_available():
                assert self._ocr is not None
                try:
                    self._ocr.put_nowait(_OcrJob(rec, picture, job.exempt, source, time.monotonic()))
                except asyncio.QueueFull:
                    self.counters.ocr_dropped += 1

    def _note_qr(self, seconds: float) -> None:
        q = self.counters.qr_seconds
        q.append(seconds)
        del q[:-50]

    async def _forwarded(self, rt: Runtime, rec: MessageRecord, what: Carried) -> Collected:
        budget, got = Budget(), Collected()
        self.counters.forwards += 1
        for content in what.forwarded:
            collect(forwarded_messages({"messages": list(content)}), budget, got, 1)
        pending = [(fid, 1) for fid in what.forward_ids] + got.pending
        got.pending = []
        fetches = 0
        while pending and fetches < MAX_FETCHES and not budget.truncated:
            fid, depth = pending.pop(0)
            fetches += 1
            try:
                raw = await asyncio.wait_for(
                    rt.actions.forward_messages(rec.platform, rec.group_id, fid), FETCH_TIMEOUT
                )
            except (GatewayError, TimeoutError) as e:
                self.counters.forward_failed += 1
                logger.info(f"guard: forwarded record of {rec.message_id} unavailable: {type(e).__name__}")
                continue
            collect(forwarded_messages(raw), budget, got, depth)
            pending.extend(got.pending)
            got.pending = []
        return got

    async def _picture(self, rt: Runtime, rec: MessageRecord, ref: ImageRef) -> img.Decoded | None:
        if not ref.source and not ref.file_id:
            return None
        self.counters.images += 1
        try:
            if ref.source:
                data = await fetch.image_bytes(ref.source)
            else:  # an id only (OneBot v12): the implementation's get_file
                answer = await asyncio.wait_for(
                    rt.actions.file_data(rec.platform, rec.group_id, ref.file_id), FETCH_TIMEOUT
                )
                got = fetch.from_get_file(answer)
                data = got if isinstance(got, bytes) else await fetch.image_bytes(got)
            return await asyncio.to_thread(img.decode, data)
        except (fetch.FetchError, img.ImageError, GatewayError, TimeoutError) as e:
            self.counters.image_failed += 1
            logger.info(f"guard: image unavailable ({e})")
            return None

    async def _act(
        self,
        rt: Runtime,
        rec: MessageRecord,
        c: Compiled,
        findings: list[Finding],
        exempt: bool,
        source: str,
        *,
        qr: bool = False,
    ) -> bool:
        """Enforce a verdict over ``findings``; True when it acted (later checks are then moot)."""
        if not findings:
            return False
        verdict = decide(_dedupe(findings), c.cfg.actions, c.cfg.serious)
        if verdict is None:
            return False
        from bot.plugins.guard.enforce import Incident, enforce  # the enforcement module imports this one

        if qr and source == "image":
            source = "qr"
        inc = Incident(
            rec.platform,
            rec.self_id,
            rec.group_id,
            rec.user_id,
            rec.message_id,
            rec.time,
            rec.sender_role,
            rec.card or rec.nickname,
            source,
        )
        if rec.platform == "wechat" and verdict.acts & {Act.RECALL, Act.WARN, Act.MUTE}:
            # The bot cannot recall here: the owner must hear of it too.
            verdict = dataclasses.replace(verdict, acts=verdict.acts | {Act.NOTIFY})
        self.counters.acted += 1
        await enforce(rt, inc, c, verdict, exempt=exempt)
        return True


deep = DeepChecks()

"""The load of a fault: contributors and implementors through nginx, and how each answer
is judged.

Contributors submit drawings, each with its idempotency key; a 503 or 409 is retried with
the same key, as the game does. Implementors classify. Every answer is judged as it
arrives: a normal one is 201/200, 409 for an idempotency key in flight, or the app's own
503 with `Retry-After` and the error envelope; anything else (a 500, a 429, nginx
answering for a service it could not reach, no answer within the client timeout) is a
problem, kept with what was seen.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from tests.support.drawings import circle_strokes, stroke_data

Phase = Literal["before", "outage", "after"]
CLIENT_TIMEOUT_S = 10.0
LOAD_SHAPE = "circle"  # what the load draws; the training jobs learn other shapes
STATUS_COLUMNS = ("201", "200", "409", "503", "other")


# --------------------------------------------------------------------------------------
# Answers and how they are judged.
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    kind: Literal["submit", "classify"]
    phase: Phase
    sent_at: float  # time.monotonic()
    latency_s: float
    status: int | None  # None: no answer (timeout, connection error)
    problem: str | None  # None: a normal answer

    @property
    def column(self) -> str:
        return str(self.status) if self.status is not None and str(self.status) in STATUS_COLUMNS else "other"


def judge(kind: str, response: httpx.Response) -> str | None:
    """Why `response` is not a normal answer, or None."""
    status = response.status_code
    if (kind, status) in (("submit", 201), ("classify", 200)):
        body = _json(response)
        wanted = "id" if kind == "submit" else "shape"
        return None if isinstance(body, dict) and wanted in body else f"{status} without {wanted!r}: {response.text[:200]}"
    if kind == "submit" and status == 409:
        body = _json(response)
        return None if isinstance(body, dict) and body.get("error") == "CONFLICT" else f"409 not a conflict: {response.text[:200]}"
    if status == 503:
        return _unavailable_problem(response)
    return f"{status}: {response.text[:300]}"


def _unavailable_problem(response: httpx.Response) -> str | None:
    body = _json(response)
    retry_after = response.headers.get("Retry-After", "")
    if not retry_after.isdigit() or int(retry_after) < 1:
        return f"503 without a Retry-After of 1 s or more: {response.headers.get('Retry-After')!r}"
    if not isinstance(body, dict) or not {"error", "message", "requestId", "retryAfter"} <= body.keys():
        return f"503 without the error envelope: {response.text[:200]}"
    if body["retryAfter"] != int(retry_after) or body["requestId"] != response.headers.get("X-Request-Id"):
        return f"503 whose envelope disagrees with its headers: {response.text[:200]}"
    if body["message"].endswith("try again shortly"):
        # nginx's own 503: the service did not answer (gone, or slower than nginx's timeout).
        return f"nginx answered for the service: {response.text[:200]}"
    return None


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def submission(session_id: str | None = None, rng: random.Random | None = None) -> tuple[dict[str, str], dict[str, Any]]:
    """Headers (a new key; a new session unless given) and a circle, a little different each time."""
    rng = rng or random.Random()
    session_id = session_id or uuid.uuid4().hex
    headers = {"X-Session-Id": session_id,
               "X-Idempotency-Key": f"{session_id}:{LOAD_SHAPE}:{time.time_ns() // 1_000_000}"}
    strokes = circle_strokes(cx=200 + rng.uniform(-30, 30), cy=200 + rng.uniform(-30, 30), r=rng.uniform(60, 140))
    return headers, {"shapeId": LOAD_SHAPE, "strokeData": stroke_data(strokes)}


def classification(rng: random.Random | None = None) -> dict[str, Any]:
    rng = rng or random.Random()
    return {"strokeData": stroke_data(circle_strokes(r=rng.uniform(60, 140)))}


# --------------------------------------------------------------------------------------
# The load.
# --------------------------------------------------------------------------------------

@dataclass
class Load:
    """`submitters` contributors and `classifiers` implementors, each one request at a
    time with `pause_s` between; at most `max_requests` in all, until `stop`."""

    url: str
    submitters: int = 2
    classifiers: int = 2
    pause_s: float = 0.05
    max_requests: int = 4000
    attempts_per_key: int = 20  # under the per-session rate limit (60 a minute)
    phase: Phase = "before"
    answers: list[Answer] = field(default_factory=list)
    accepted: dict[str, str] = field(default_factory=dict)  # idempotency key -> drawing id (201)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        limits = httpx.Limits(max_connections=self.submitters + self.classifiers)
        async with httpx.AsyncClient(base_url=self.url, timeout=CLIENT_TIMEOUT_S, limits=limits, trust_env=False) as http:
            await asyncio.gather(
                *(self._contributor(http, random.Random(i)) for i in range(self.submitters)),
                *(self._implementor(http, random.Random(100 + i)) for i in range(self.classifiers)),
            )

    def _more(self) -> bool:
        return not self._stop.is_set() and len(self.answers) < self.max_requests

    async def _contributor(self, http: httpx.AsyncClient, rng: random.Random) -> None:
        while self._more():
            headers, body = submission(rng=rng)
            for _ in range(self.attempts_per_key):
                answer, response = await send(http, "submit", self.phase, "/api/drawings", body, headers)
                self.answers.append(answer)
                if answer.status == 201 and response is not None and answer.problem is None:
                    self.accepted[headers["X-Idempotency-Key"]] = response.json()["id"]
                    break
                if not self._more():
                    break
                # The same key again, as a client retries an answer it did not get.
                await self._pause(0.5 if answer.status == 409 else 0.2)
            await self._pause(self.pause_s)

    async def _implementor(self, http: httpx.AsyncClient, rng: random.Random) -> None:
        while self._more():
            answer, _ = await send(http, "classify", self.phase, "/api/inference/classify", classification(rng))
            self.answers.append(answer)
            await self._pause(self.pause_s)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except TimeoutError:
            pass


async def send(http: httpx.AsyncClient, kind: Literal["submit", "classify"], phase: Phase, path: str,
               body: dict[str, Any], headers: dict[str, str] | None = None) -> tuple[Answer, httpx.Response | None]:
    sent_at = time.monotonic()
    try:
        response = await http.post(path, json=body, headers=headers)
    except httpx.TimeoutException:
        return Answer(kind, phase, sent_at, time.monotonic() - sent_at, None,
                      f"no answer within {CLIENT_TIMEOUT_S:.0f} s"), None
    except httpx.HTTPError as error:
        return Answer(kind, phase, sent_at, time.monotonic() - sent_at, None,
                      f"{type(error).__name__}: {error}"), None
    return Answer(kind, phase, sent_at, time.monotonic() - sent_at, response.status_code, judge(kind, response)), response


async def until_serving(url: str, since: float, deadline_s: float = 30.0, interval_s: float = 0.1) -> tuple[float | None, list[Answer]]:
    """A fresh submission and a classification, again and again, until each has
    succeeded once: the seconds from `since` until both had (None: not within
    `deadline_s`), and every answer seen meanwhile."""
    answers: list[Answer] = []
    done: dict[str, float] = {}
    rng = random.Random(7)
    async with httpx.AsyncClient(base_url=url, timeout=CLIENT_TIMEOUT_S, trust_env=False) as http:
        async def one(kind: Literal["submit", "classify"]) -> None:
            if kind == "submit":
                headers, body = submission(rng=rng)
                answer, _ = await send(http, kind, "after", "/api/drawings", body, headers)
            else:
                answer, _ = await send(http, kind, "after", "/api/inference/classify", classification(rng))
            answers.append(answer)
            if answer.problem is None and answer.status in (200, 201):
                done[kind] = answer.sent_at + answer.latency_s

        while len(done) < 2 and time.monotonic() - since < deadline_s:
            await asyncio.gather(*(one(kind) for kind in ("submit", "classify") if kind not in done))
            if len(done) < 2:
                await asyncio.sleep(interval_s)
    return (max(done.values()) - since if len(done) == 2 else None), answers

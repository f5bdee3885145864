"""Fault injection and the request log: the knobs tests turn to exercise client retries.

A fault matches requests by method and by a regular expression searched in the path, and
fires for the next `count` matching requests. It answers with a status code (a JSON
Status for 401, 403, 500 and 503; for 429 the plain-text body and `Retry-After` header
that kube-apiserver's max-in-flight filter sends) or drops the connection without any
response.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field


@dataclass
class Fault:
    """One armed fault; `status` 0 with `drop` set closes the connection instead."""

    method: str
    path: re.Pattern[str]
    remaining: int
    status: int = 500
    retry_after: int = 1
    drop: bool = False

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and bool(self.path.search(path))


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server received it."""

    method: str
    path: str
    query: str
    content_type: str
    user_agent: str
    accept: str
    status: int = 0

    @property
    def params(self) -> dict[str, list[str]]:
        from urllib.parse import parse_qs

        return parse_qs(self.query, keep_blank_values=True)


@dataclass
class Faults:
    """Armed faults and added latency, shared by all request threads."""

    latency: float = 0.0
    _faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(
        self,
        count: int = 1,
        *,
        method: str = "",
        path: str = "",
        status: int = 500,
        retry_after: int = 1,
        drop: bool = False,
    ) -> Fault:
        """Make the next `count` requests matching `method` and the `path` pattern fail."""
        if not drop and status not in (401, 403, 429, 500, 503):
            raise ValueError(f"unsupported fault status {status}; use 401, 403, 429, 500 or 503")
        fault = Fault(method.upper(), re.compile(path), count, status, retry_after, drop)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Return the first armed fault matching the request and count it down."""
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.latency = 0.0


class RequestLog:
    """Every request in arrival order, with the status code it got."""

    def __init__(self) -> None:
        self._records: list[RequestRecord] = []
        self._lock = threading.Lock()

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    @property
    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def matching(self, method: str = "", path: str = "") -> list[RequestRecord]:
        """Return the records whose method equals `method` and whose path matches `path`."""
        pattern = re.compile(path)
        return [
            r
            for r in self.records
            if (not method or r.method == method.upper()) and pattern.search(r.path)
        ]

    def count(self, method: str = "", path: str = "") -> int:
        return len(self.matching(method, path))

"""A minimal urllib client for tests that talk to the double without any Kubernetes library."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

JSON = "application/json"
APPLY = "application/apply-patch+yaml"
MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"


@dataclass
class Reply:
    """Status code, headers and the decoded body (JSON when it parses, else text)."""

    code: int
    headers: Any
    body: Any


def call(
    base_url: str,
    method: str,
    path: str,
    body: Any = None,
    content_type: str = JSON,
    timeout: float = 10,
) -> Reply:
    """Send one request; HTTP error statuses are returned, not raised."""
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("Accept", JSON)
    request.add_header("User-Agent", "rawhttp/1.0")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.headers, _decode(response.read()))
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, error.headers, _decode(error.read()))


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode()

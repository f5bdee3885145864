"""Watch streams: `?watch=true` on a collection, including the WatchList protocol.

A watch first sends the current objects as ADDED events (when it starts without a
resourceVersion, at "0", or with `sendInitialEvents=true`), then every later change of a
matching object in revision order, as JSON lines in a chunked response. With
`sendInitialEvents=true` a BOOKMARK annotated `k8s.io/initial-events-end: "true"` marks the
end of the initial list, which client-go informers wait for. A resourceVersion older than
the kept history ends the watch with a 410 Gone ERROR event, as an expired etcd compaction
does. The stream ends after `timeoutSeconds` or when the server stops.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from tests.apiserver import selectors
from tests.apiserver.registry import Registry, Target, with_type
from tests.apiserver.status import ApiError
from tests.apiserver.store import WatchEvent

JsonObject = dict[str, Any]

DEFAULT_TIMEOUT_SECONDS = 1800.0


def stream(
    registry: Registry,
    target: Target,
    params: dict[str, str],
) -> Iterator[JsonObject]:
    """Yield watch events until the timeout passes or the server stops."""
    store = registry.store
    resource = target.resource
    match_labels = selectors.parse_label_selector(params.get("labelSelector", ""))
    match_fields = selectors.parse_field_selector(params.get("fieldSelector", ""))
    namespace = target.namespace if resource.namespaced else ""
    timeout = float(params.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)
    deadline = time.monotonic() + timeout

    def matches(obj: JsonObject) -> bool:
        labels = obj.get("metadata", {}).get("labels") or {}
        return match_labels(labels) and match_fields(obj)

    def concerns(event: WatchEvent) -> bool:
        group, plural, event_namespace, _ = event.key
        if (group, plural) != (resource.group, resource.plural):
            return False
        return not namespace or event_namespace == namespace

    with store.lock:
        start = params.get("resourceVersion", "")
        initial = params.get("sendInitialEvents") == "true" or start in ("", "0")
        if initial:
            position = int(store.revision)
            listing = registry.list(
                target, params.get("labelSelector", ""), params.get("fieldSelector", "")
            )
            snapshot = [with_type(item, resource) for item in listing["items"]]
        else:
            position = int(start)
            oldest = store.events[0].revision if store.events else int(store.revision)
            if position < oldest - 1:
                yield _expired(start)
                return
            snapshot = []
    for obj in snapshot:
        yield {"type": "ADDED", "object": obj}
    if params.get("sendInitialEvents") == "true":
        yield _bookmark(target, str(position), initial_end=True)
    while True:
        with store.lock:
            pending = [e for e in store.events if e.revision > position and concerns(e)]
            if not pending:
                remaining = deadline - time.monotonic()
                if store.closed or remaining <= 0:
                    return
                store.changed.wait(min(remaining, 1.0))
                continue
            position = pending[-1].revision
        for event in pending:
            obj = with_type(event.object, resource)
            if matches(obj):
                yield {"type": event.type, "object": obj}


def _bookmark(target: Target, revision: str, initial_end: bool) -> JsonObject:
    metadata: JsonObject = {"resourceVersion": revision}
    if initial_end:
        metadata["annotations"] = {"k8s.io/initial-events-end": "true"}
    return {"type": "BOOKMARK", "object": with_type({"metadata": metadata}, target.resource)}


def _expired(start: str) -> JsonObject:
    error = ApiError(410, "Expired", f"too old resource version: {start}")
    return {"type": "ERROR", "object": error.to_status()}

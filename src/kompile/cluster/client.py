"""The connection to the cluster: kubeconfig, requests, retries and API errors.

Requests go through the official client's `ApiClient`, which handles kubeconfig
credentials and TLS; kompile builds the paths itself, so applying a known kind costs no
discovery request. Server-side apply bodies are sent as JSON, which is valid YAML for
the ``application/apply-patch+yaml`` content type.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import typing as t
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

import urllib3
from kubernetes import client, config

from kompile.cluster.kinds import Resource, known_resource
from kompile.errors import ClusterError

log = logging.getLogger(__name__)

Manifest = dict[str, t.Any]

# Statuses worth another try: throttling, and server errors that a retry can outlive.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_ATTEMPTS = 5
MAX_RETRY_AFTER = 30.0
APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
# Requests that apply sends at once, and so the connections that the pool keeps open. The
# client's own default, five per CPU, keeps fewer than that on a one-CPU machine, and
# urllib3 then closes the extra connections after each request.
PARALLEL_REQUESTS = 8


@dataclass
class ApiStatus(Exception):
    """An error response of the API server, parsed from its Status object."""

    code: int
    reason: str
    message: str
    causes: list[dict[str, t.Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.message} ({self.code} {self.reason})"


@dataclass(frozen=True)
class Response:
    status: int
    body: t.Any


class Cluster:
    """One API server, reached with the credentials of one kubeconfig context."""

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        *,
        attempts: int = DEFAULT_ATTEMPTS,
        timeout: float = 30.0,
    ) -> None:
        configuration = client.Configuration()
        self.namespace = "default"
        path = kubeconfig or os.environ.get("KUBECONFIG", "").split(os.pathsep)[0] or None
        try:
            if path is None and "KUBERNETES_SERVICE_HOST" in os.environ and context is None:
                config.load_incluster_config(client_configuration=configuration)
                self.namespace = _in_cluster_namespace()
                self.source = "in-cluster configuration"
            else:
                config_file = path or os.path.expanduser(config.KUBE_CONFIG_DEFAULT_LOCATION)
                if not os.path.isfile(config_file):
                    raise ClusterError(
                        f"kubeconfig {config_file} not found",
                        hint="pass --kubeconfig FILE, or set KUBECONFIG",
                    )
                config.load_kube_config(
                    config_file=config_file,
                    context=context,
                    client_configuration=configuration,
                )
                _contexts, active = config.list_kube_config_contexts(config_file)
                if context:
                    active = next(c for c in _contexts if c["name"] == context)
                self.namespace = active.get("context", {}).get("namespace") or "default"
                self.source = config_file
        except ClusterError:
            raise
        except Exception as error:
            # The kubernetes loader raises ConfigException, YAML errors, KeyError and
            # TypeError for broken files; all of them mean the same to the user.
            where = kubeconfig or path or "the default kubeconfig"
            reason = (
                str(error)
                if isinstance(error, config.ConfigException)
                else (f"invalid kubeconfig ({type(error).__name__})")
            )
            raise ClusterError(
                f"cannot load the cluster configuration from {where}: {reason}",
                hint="pass --kubeconfig FILE and --context NAME of a valid kubeconfig",
            ) from None
        # kompile retries itself, with the rules below; the pool only reuses connections.
        configuration.retries = False
        configuration.connection_pool_maxsize = max(
            configuration.connection_pool_maxsize or 0, PARALLEL_REQUESTS
        )
        self.host = configuration.host
        self.api = client.ApiClient(configuration)
        self.attempts = attempts
        self.timeout = timeout
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._discovered: dict[tuple[str, str], Resource] = {}
        # Set once the server stayed unreachable through every retry, so that the other
        # requests of the run fail at once instead of each retrying on its own.
        self._unreachable: ClusterError | None = None

    def close(self) -> None:
        self.api.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, str] | None = None,
        body: t.Any = None,
        content_type: str = "application/json",
    ) -> Response:
        """Send one request, retrying throttling, server errors and dropped connections.

        Returns the parsed JSON body of a success; raises `ApiStatus` for an error status
        and `ClusterError` when the server cannot be reached.
        """
        if self._unreachable is not None:
            raise self._unreachable
        url_path = f"{path}?{urlencode(query)}" if query else path
        headers = {"Accept": "application/json", "Content-Type": content_type}
        payload = json.dumps(body) if body is not None else None
        delay = 0.2
        for attempt in range(1, self.attempts + 1):
            with self._lock:
                self.requests[method] += 1
            try:
                response = self._send(method, url_path, headers, payload)
            except urllib3.exceptions.HTTPError as error:
                if attempt == self.attempts:
                    self._unreachable = ClusterError(
                        f"cannot reach the API server at {self.host}: {_reason(error)}",
                        hint="check that the cluster is running and --kubeconfig/--context",
                    )
                    raise self._unreachable from None
                log.debug("%s %s failed (%s); retrying", method, path, _reason(error))
                time.sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            status, text, retry_after = response
            if status < 400:
                return Response(status, self._parse(text))
            if status in RETRY_STATUSES and attempt < self.attempts:
                wait = retry_after if retry_after is not None else delay
                log.debug("%s %s returned %d; retrying in %.1fs", method, path, status, wait)
                time.sleep(wait)
                delay = min(delay * 2, 5.0)
                continue
            raise _status_error(status, text)
        raise AssertionError("unreachable")  # pragma: no cover

    def _parse(self, text: str) -> t.Any:
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ClusterError(
                f"the API server at {self.host} sent a response that is not JSON",
                hint="check that the kubeconfig points at a Kubernetes API server",
            ) from None

    def _send(
        self, method: str, url_path: str, headers: dict[str, str], payload: str | None
    ) -> tuple[int, str, float | None]:
        serialized = self.api.param_serialize(
            method=method,
            resource_path=url_path,
            header_params=dict(headers),
            auth_settings=["BearerToken"],
        )
        _method, url, sent_headers, _body, _post = serialized
        raw = self.api.call_api(
            method, url, header_params=sent_headers, body=payload, _request_timeout=self.timeout
        )
        data = raw.read()
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else str(data or "")
        retry_after = _retry_after(raw.headers.get("Retry-After"))
        return raw.status, text, retry_after

    def resource(self, api_version: str, kind: str) -> Resource:
        """Return where ``kind`` lives, asking the discovery document of unknown kinds."""
        known = known_resource(api_version, kind)
        if known is not None:
            return known
        key = (api_version, kind)
        if key not in self._discovered:
            group = api_version.rpartition("/")[0]
            path = f"/apis/{api_version}" if group else f"/api/{api_version}"
            try:
                listing = self.request("GET", path).body or {}
            except ApiStatus as error:
                if error.code != 404:
                    raise
                listing = {}
            for entry in listing.get("resources", []):
                if entry.get("kind") == kind and "/" not in entry.get("name", "/"):
                    self._discovered[key] = Resource(
                        api_version, kind, entry["name"], bool(entry.get("namespaced"))
                    )
                    break
            else:
                raise ClusterError(
                    f"the cluster does not serve {kind} ({api_version})",
                    hint="install the component that provides it, such as its CRD",
                )
        return self._discovered[key]


def _send_error_text(text: str) -> dict[str, t.Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _status_error(status: int, text: str) -> ApiStatus:
    parsed = _send_error_text(text)
    if parsed.get("kind") == "Status":
        return ApiStatus(
            code=int(parsed.get("code") or status),
            reason=str(parsed.get("reason") or ""),
            message=str(parsed.get("message") or text.strip()),
            causes=list((parsed.get("details") or {}).get("causes") or []),
        )
    # Throttling responses and proxies may send plain text instead of a Status.
    message = " ".join(text.split())[:300] or f"HTTP {status}"
    return ApiStatus(code=status, reason=_REASONS.get(status, ""), message=message)


_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return min(max(float(value), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return None


def _reason(error: urllib3.exceptions.HTTPError) -> str:
    inner = getattr(error, "reason", None) or error
    text = str(inner)
    if "Connection refused" in text:
        return "connection refused"
    if "timed out" in text.lower():
        return "timed out"
    return type(inner).__name__


def _in_cluster_namespace() -> str:
    path = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip() or "default"
    except OSError:
        return "default"

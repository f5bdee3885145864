"""The HTTP server: a ThreadingHTTPServer on 127.0.0.1 that serves the API double.

`ApiServer` owns the state (store, registry, simulated controllers) and the test knobs
(faults, latency, request log). Each request takes the store lock for its whole registry
call, so requests are atomic; the added latency is spent before the lock is taken.
Responses use HTTP/1.1 with keep-alive, as clients reuse connections.
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.apiserver import resources, routes, status
from tests.apiserver.controllers import Controllers
from tests.apiserver.faults import Fault, Faults, RequestLog, RequestRecord
from tests.apiserver.registry import Registry, Target, WriteOptions
from tests.apiserver.status import ApiError
from tests.apiserver.store import Store

log = logging.getLogger(__name__)

PLAIN_TOO_MANY_REQUESTS = "Too many requests, please try again later.\n"
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class ApiServer:
    """The Kubernetes API double with its knobs: `faults`, `requests`, `controllers`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, controller_delay: float = 0.05):
        self.store = Store()
        self.registry = Registry(self.store)
        self.controllers = Controllers(self.registry, controller_delay)
        self.faults = Faults()
        self.requests = RequestLog()
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.api = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self._create_namespaces()

    @property
    def host(self) -> str:
        return str(self._httpd.server_address[0])

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> ApiServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="apiserver", daemon=True
        )
        self._thread.start()
        log.info("API server double listening on %s", self.url)
        return self

    def stop(self) -> None:
        self.controllers.stop()
        self.store.close()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        log.info("API server double on %s stopped", self.url)

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail_next(self, count: int = 1, **kwargs: Any) -> Fault:
        """Arm a fault; see `Faults.fail_next` for the arguments."""
        return self.faults.fail_next(count, **kwargs)

    def create_namespace(self, name: str) -> None:
        namespaces = resources.find_by_plural("", "v1", "namespaces")
        assert namespaces is not None
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        with self.store.lock:
            if self.store.get(namespaces, "", name) is None:
                self.registry.create(
                    Target(namespaces), body, WriteOptions(field_manager="kube-apiserver")
                )

    def _create_namespaces(self) -> None:
        for name in INITIAL_NAMESPACES:
            self.create_namespace(name)

    def kubeconfig(self, namespace: str = "default") -> dict[str, Any]:
        """Return a kubeconfig with one context for this server and no credentials."""
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "apiserver-double", "cluster": {"server": self.url}}],
            "users": [{"name": "tester", "user": {}}],
            "contexts": [
                {
                    "name": "apiserver-double",
                    "context": {
                        "cluster": "apiserver-double",
                        "user": "tester",
                        "namespace": namespace,
                    },
                }
            ],
            "current-context": "apiserver-double",
            "preferences": {},
        }

    def write_kubeconfig(self, path: Path | str, namespace: str = "default") -> Path:
        target = Path(path)
        target.write_text(yaml.safe_dump(self.kubeconfig(namespace), sort_keys=False))
        return target


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "apiserver-double"
    # Headers and body go out in two writes. With Nagle's algorithm on, the body waits for
    # the client's delayed ACK of the headers, about 40 ms per response on Linux. Go's
    # net/http, which kube-apiserver uses, sets TCP_NODELAY on every connection.
    disable_nagle_algorithm = True

    @property
    def api(self) -> ApiServer:
        return self.server.api  # type: ignore[attr-defined,no-any-return]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        body = self._read_body()
        request = routes.Request(
            method=method,
            path=url.path,
            query=url.query,
            body=body,
            content_type=self.headers.get("Content-Type", ""),
            user_agent=self.headers.get("User-Agent", ""),
            server_address=f"{self.api.host}:{self.api.port}",
        )
        fault = self.api.faults.take(method, url.path)
        if fault is not None and fault.drop:
            self._record(request, 0)
            self._drop_connection()
            return
        if self.api.faults.latency:
            time.sleep(self.api.faults.latency)
        if fault is not None:
            response = _fault_response(fault, method, url.path)
        else:
            response = self._serve(request)
        self._record(request, response.code)
        self._send(response)

    def _serve(self, request: routes.Request) -> routes.Response:
        try:
            with self.api.store.lock:
                return routes.route(self.api.registry, request)
        except ApiError as error:
            return _error_response(error)
        except Exception as error:
            # A failing handler still returns a 500 Status, as a real server does.
            log.exception("request %s %s failed", request.method, request.path)
            return _error_response(status.internal_error(f"Internal error occurred: {error}"))

    def _record(self, request: routes.Request, code: int) -> None:
        self.api.requests.add(
            RequestRecord(
                method=request.method,
                path=request.path,
                query=request.query,
                content_type=request.content_type,
                user_agent=request.user_agent,
                accept=self.headers.get("Accept", ""),
                status=code,
            )
        )

    def _drop_connection(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send_stream(self, response: routes.Response) -> None:
        assert response.stream is not None
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        try:
            for event in response.stream:
                line = json.dumps(event).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, response: routes.Response) -> None:
        if response.stream is not None:
            self._send_stream(response)
            return
        if isinstance(response.body, str):
            payload = response.body.encode()
        else:
            payload = json.dumps(response.body).encode()
        self.send_response(response.code)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-cache, private")
        for name, value in response.headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _error_response(error: ApiError) -> routes.Response:
    return routes.Response(error.code, error.to_status(), list(error.headers.items()))


# The verbs RBAC checks for each HTTP method, as kube-apiserver names them in a 403.
_VERBS = {"GET": "get", "POST": "create", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}


def _forbidden(method: str, path: str) -> ApiError:
    """Return the 403 that RBAC sends for a request on ``path``, for the test user."""
    parts = [part for part in path.split("/") if part]
    if parts[:1] == ["api"] and len(parts) > 1:
        group, version, rest = "", parts[1], parts[2:]
    elif parts[:1] == ["apis"] and len(parts) > 2:
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return ApiError(403, "Forbidden", f'forbidden: User "tester" cannot access path "{path}"')
    namespace = ""
    if len(rest) > 2 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    plural = rest[0] if rest else ""
    name = rest[1] if len(rest) > 1 else ""
    verb = _VERBS.get(method, method.lower())
    if verb == "get" and not name:
        verb = "list"
    resource = resources.find_by_plural(group, version, plural)
    if resource is None:
        return ApiError(403, "Forbidden", f'forbidden: User "tester" cannot {verb} path "{path}"')
    return status.forbidden(resource, name, verb, namespace, "tester")


def _fault_response(fault: Fault, method: str, path: str) -> routes.Response:
    if fault.status == 401:
        return _error_response(ApiError(401, "Unauthorized", "Unauthorized"))
    if fault.status == 403:
        return _error_response(_forbidden(method, path))
    if fault.status == 429:
        return routes.Response(
            429,
            PLAIN_TOO_MANY_REQUESTS,
            [("Retry-After", str(fault.retry_after))],
            content_type="text/plain; charset=utf-8",
        )
    if fault.status == 503:
        return _error_response(
            status.service_unavailable("the server is currently unable to handle the request")
        )
    return _error_response(status.internal_error("Internal error occurred: injected fault"))

"""Every rule: one small project that triggers it and one that does not.

Each case writes a compose project (and its Dockerfile when the rule reads one), runs
all rules, and looks only at the findings of the rule under test. A triggering case also
names a fragment that the message must contain and the key it must point at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kompile.check import RULES
from kompile.errors import format_key_path
from tests.check.projects import check_files


@dataclass(frozen=True)
class Case:
    """A project and what the rule under test should report on it."""

    rule: str
    compose: str
    dockerfile: str | None = None
    expected: str | None = None  # message fragment, or None for no finding
    key: str | None = None  # expected key below services.app, or "Dockerfile:LINE"
    require_digest: bool = False
    files: dict[str, str] = field(default_factory=dict)


def service(body: str) -> str:
    """Return a compose file with one service ``app`` whose keys are ``body``."""
    indented = "\n".join(f"    {line}" for line in body.strip().splitlines())
    return f"services:\n  app:\n{indented}\n"


BUILD = "build: .\nimage: registry.example.com/app:1.0"
PINNED = "nginx:1.27@sha256:" + "a" * 64

CASES: dict[str, Case] = {
    # image
    "image-latest/no-tag": Case(
        "image-latest", service("image: nginx"), expected="has no tag", key="image"
    ),
    "image-latest/latest": Case(
        "image-latest", service("image: nginx:latest"), expected="tag 'latest'", key="image"
    ),
    "image-latest/base-image": Case(
        "image-latest",
        service(BUILD),
        "FROM python\nUSER app\n",
        expected="base image python has no tag",
        key="Dockerfile:1",
    ),
    "image-latest/clean": Case("image-latest", service("image: nginx:1.27")),
    "image-latest/clean-digest": Case("image-latest", service(f"image: {PINNED}")),
    "image-latest/clean-stage": Case(
        "image-latest",
        service(BUILD),
        "FROM golang:1.22 AS build\nFROM build\n",
    ),
    "image-digest/tag-only": Case(
        "image-digest",
        service("image: nginx:1.27"),
        expected="not pinned by digest",
        key="image",
        require_digest=True,
    ),
    "image-digest/base-image": Case(
        "image-digest",
        service(BUILD),
        "FROM python:3.12-slim\n",
        expected="base image python:3.12-slim",
        key="Dockerfile:1",
        require_digest=True,
    ),
    "image-digest/clean": Case("image-digest", service(f"image: {PINNED}"), require_digest=True),
    "image-digest/clean-without-option": Case("image-digest", service("image: nginx:1.27")),
    "build-without-image/build-only": Case(
        "build-without-image",
        service("build: ."),
        "FROM alpine:3.20\n",
        expected="no registry name",
        key="build",
    ),
    "build-without-image/clean": Case("build-without-image", service(BUILD), "FROM alpine:3.20\n"),
    # user
    "user-root/image-default": Case(
        "user-root", service("image: nginx:1.27"), expected="root unless the image", key=""
    ),
    "user-root/explicit-root": Case(
        "user-root", service('image: nginx:1.27\nuser: "0:0"'), expected="user: 0:0", key="user"
    ),
    "user-root/dockerfile-without-user": Case(
        "user-root",
        service(BUILD),
        "FROM alpine:3.20\nRUN true\n",
        expected="no USER instruction",
        key="build",
    ),
    "user-root/dockerfile-back-to-root": Case(
        "user-root",
        service(BUILD),
        "FROM alpine:3.20\nUSER app\nRUN true\nUSER root\n",
        expected="switches to root",
        key="Dockerfile:4",
    ),
    "user-root/clean-user": Case("user-root", service('image: nginx:1.27\nuser: "10001"')),
    "user-root/clean-dockerfile": Case(
        "user-root", service(BUILD), "FROM alpine:3.20\nUSER 10001:10001\n"
    ),
    "user-root/clean-parent-stage": Case(
        "user-root",
        service(BUILD),
        "FROM alpine:3.20 AS base\nUSER app\nFROM base\nRUN true\n",
    ),
    "privileged/true": Case(
        "privileged",
        service("image: nginx:1.27\nprivileged: true"),
        expected="full control",
        key="privileged",
    ),
    "privileged/clean": Case("privileged", service("image: nginx:1.27\nprivileged: false")),
    "host-capabilities/sys-admin": Case(
        "host-capabilities",
        service("image: nginx:1.27\ncap_add: [NET_ADMIN, CAP_SYS_ADMIN]"),
        expected="grants SYS_ADMIN",
        key="cap_add[1]",
    ),
    "host-capabilities/all": Case(
        "host-capabilities",
        service("image: nginx:1.27\ncap_add: [ALL]"),
        expected="grants ALL",
        key="cap_add[0]",
    ),
    "host-capabilities/clean": Case(
        "host-capabilities", service("image: nginx:1.27\ncap_add: [NET_BIND_SERVICE]")
    ),
    "host-namespace/network": Case(
        "host-namespace",
        service("image: nginx:1.27\nnetwork_mode: host"),
        expected="network namespace",
        key="network_mode",
    ),
    "host-namespace/pid": Case(
        "host-namespace",
        service("image: nginx:1.27\npid: host"),
        expected="process namespace",
        key="pid",
    ),
    "host-namespace/clean": Case("host-namespace", service("image: nginx:1.27")),
    "docker-socket/bind": Case(
        "docker-socket",
        service("image: traefik:3.1\nvolumes:\n  - /var/run/docker.sock:/var/run/docker.sock"),
        expected="Docker socket /var/run/docker.sock",
        key="volumes[0]",
    ),
    "docker-socket/clean": Case(
        "docker-socket", service("image: nginx:1.27\nvolumes:\n  - ./html:/usr/share/nginx/html")
    ),
    # secrets
    "secret-in-environment/environment": Case(
        "secret-in-environment",
        service("image: nginx:1.27\nenvironment:\n  API_TOKEN: abc123"),
        expected="environment variable API_TOKEN",
        key="environment.API_TOKEN",
    ),
    "secret-in-environment/list-syntax": Case(
        "secret-in-environment",
        service("image: nginx:1.27\nenvironment:\n  - DB_PASSWORD=abc123"),
        expected="DB_PASSWORD",
        key="environment.DB_PASSWORD",
    ),
    # The key is left open: a reader may report env_file or merge it into environment.
    "secret-in-environment/env-file": Case(
        "secret-in-environment",
        service("image: nginx:1.27\nenv_file: [app.env]"),
        expected="DB_PASSWORD",
        files={"app.env": "# database\nDB_HOST=db\nexport DB_PASSWORD=abc123\n"},
    ),
    "secret-in-environment/clean": Case(
        "secret-in-environment",
        service(
            "image: nginx:1.27\nenvironment:\n  DB_PASSWORD_FILE: /run/secrets/db\n"
            "  LOG_LEVEL: debug\n  EMPTY_TOKEN: ''"
        ),
    ),
    "secret-in-build-arg/arg": Case(
        "secret-in-build-arg",
        service(
            "image: registry.example.com/app:1.0\nbuild:\n  context: .\n  args:\n"
            "    NPM_TOKEN: abc123"
        ),
        "FROM node:20-alpine\n",
        expected="build argument NPM_TOKEN",
        key="build.args.NPM_TOKEN",
    ),
    "secret-in-build-arg/clean": Case(
        "secret-in-build-arg",
        service(
            "image: registry.example.com/app:1.0\nbuild:\n  context: .\n  args:\n"
            "    NODE_VERSION: '20'"
        ),
        "FROM node:20-alpine\n",
    ),
    "secret-file-in-image/key": Case(
        "secret-file-in-image",
        service(BUILD),
        "FROM alpine:3.20\nCOPY id_rsa /root/.ssh/\n",
        expected="COPY puts id_rsa",
        key="Dockerfile:2",
    ),
    "secret-file-in-image/env-file": Case(
        "secret-file-in-image",
        service(BUILD),
        'FROM alpine:3.20\nADD ["config/.env", "/app/"]\n',
        expected="ADD puts config/.env",
        key="Dockerfile:2",
    ),
    "secret-file-in-image/clean": Case(
        "secret-file-in-image",
        service(BUILD),
        "FROM alpine:3.20 AS build\nCOPY server.key /tmp/\n"
        "FROM alpine:3.20\nCOPY .env.example app.conf /app/\n",
    ),
    "secret-in-dockerfile/env": Case(
        "secret-in-dockerfile",
        service(BUILD),
        "FROM alpine:3.20\nENV PORT=80 API_KEY=abc123\n",
        expected="ENV API_KEY",
        key="Dockerfile:2",
    ),
    "secret-in-dockerfile/arg": Case(
        "secret-in-dockerfile",
        service(BUILD),
        "FROM alpine:3.20\nARG GITHUB_TOKEN\n",
        expected="ARG GITHUB_TOKEN",
        key="Dockerfile:2",
    ),
    "secret-in-dockerfile/clean": Case(
        "secret-in-dockerfile",
        service(BUILD),
        "FROM alpine:3.20\nARG VERSION=1\nENV PORT 80\n",
    ),
    # size
    "single-stage-build/compiler": Case(
        "single-stage-build",
        service(BUILD),
        "FROM debian:12-slim\nRUN apt-get update && apt-get install -y gcc libpq-dev \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n",
        expected="build tools (gcc, libpq-dev)",
        key="Dockerfile:2",
    ),
    "single-stage-build/toolchain-base": Case(
        "single-stage-build",
        service(BUILD),
        "FROM golang:1.22\nRUN go build -o /app .\n",
        expected="toolchain image golang:1.22",
        key="Dockerfile:1",
    ),
    "single-stage-build/clean": Case(
        "single-stage-build",
        service(BUILD),
        "FROM golang:1.22 AS build\nRUN apt-get install -y gcc\n"
        "FROM gcr.io/distroless/static\nCOPY --from=build /app /app\n",
    ),
    "base-not-minimal/dockerfile": Case(
        "base-not-minimal",
        service(BUILD),
        "FROM python:3.12\n",
        expected="has the smaller variant python:3.12-slim",
        key="Dockerfile:1",
    ),
    "base-not-minimal/image": Case(
        "base-not-minimal",
        service("image: node:20"),
        expected="image node:20 is a full image, with the smaller variant node:20-alpine",
        key="image",
    ),
    "base-not-minimal/jdk": Case(
        "base-not-minimal",
        service("image: eclipse-temurin:21-jdk"),
        expected="the smaller variant eclipse-temurin:21-jre",
        key="image",
    ),
    "base-not-minimal/clean": Case(
        "base-not-minimal", service(BUILD), "FROM python:3.12-slim AS base\nFROM base\n"
    ),
    "package-cache/apt": Case(
        "package-cache",
        service(BUILD),
        "FROM debian:12-slim\nRUN apt-get update && apt-get install -y curl\n",
        expected="apt-get and keeps /var/lib/apt/lists",
        key="Dockerfile:2",
    ),
    "package-cache/apk": Case(
        "package-cache",
        service(BUILD),
        "FROM alpine:3.20\nRUN apk add curl\n",
        expected="apk and keeps /var/cache/apk",
        key="Dockerfile:2",
    ),
    "package-cache/pip": Case(
        "package-cache",
        service(BUILD),
        "FROM python:3.12-slim\nRUN python -m pip install flask\n",
        expected="pip and keeps the pip cache",
        key="Dockerfile:2",
    ),
    "package-cache/clean": Case(
        "package-cache",
        service(BUILD),
        "FROM python:3.12-slim\n"
        "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
        "RUN pip install --no-cache-dir flask\n"
        "RUN --mount=type=cache,target=/root/.cache/pip pip install gunicorn\n",
    ),
    # process
    "multiple-processes/background": Case(
        "multiple-processes",
        service("image: php:8.3-fpm-alpine\ncommand: sh -c \"php-fpm & nginx -g 'daemon off;'\""),
        expected="in the background",
        key="command",
    ),
    "multiple-processes/supervisord": Case(
        "multiple-processes",
        service(BUILD),
        'FROM alpine:3.20\nCMD ["/usr/bin/supervisord", "-n"]\n',
        expected="process manager supervisord",
        key="Dockerfile:2",
    ),
    "multiple-processes/service-start": Case(
        "multiple-processes",
        service(
            "image: php:8.3-apache\n"
            'entrypoint: ["bash", "-c", "service mysql start && apache2-foreground"]'
        ),
        expected="service ... start",
        key="entrypoint",
    ),
    "multiple-processes/clean": Case(
        "multiple-processes",
        service(
            'image: nginx:1.27\ncommand: ["sh", "-c", "nginx -t && exec nginx -g \'daemon off;\' '
            '2>&1"]'
        ),
    ),
    "multiple-processes/clean-overridden-cmd": Case(
        "multiple-processes",
        service(f"{BUILD}\ncommand: [nginx]"),
        'FROM alpine:3.20\nCMD ["supervisord"]\n',
    ),
    # operations
    "no-healthcheck/missing": Case(
        "no-healthcheck", service("image: nginx:1.27"), expected="no healthcheck", key=""
    ),
    "no-healthcheck/dockerfile-only": Case(
        "no-healthcheck",
        service(BUILD),
        "FROM alpine:3.20\nHEALTHCHECK CMD wget -q -O- http://localhost/\n",
        expected="Kubernetes ignores",
        key="",
    ),
    "no-healthcheck/disabled": Case(
        "no-healthcheck",
        service("image: nginx:1.27\nhealthcheck:\n  disable: true"),
        expected="disabled",
        key="healthcheck",
    ),
    "no-healthcheck/clean": Case(
        "no-healthcheck",
        service("image: nginx:1.27\nhealthcheck:\n  test: [CMD, curl, -f, http://localhost/]"),
    ),
    "no-memory-limit/missing": Case(
        "no-memory-limit", service("image: nginx:1.27"), expected="no memory limit", key=""
    ),
    "no-memory-limit/clean-deploy": Case(
        "no-memory-limit",
        service("image: nginx:1.27\ndeploy:\n  resources:\n    limits:\n      memory: 256M"),
    ),
    "no-memory-limit/clean-mem-limit": Case(
        "no-memory-limit", service("image: nginx:1.27\nmem_limit: 256m")
    ),
    "no-restart-policy/missing": Case(
        "no-restart-policy", service("image: nginx:1.27"), expected="no restart policy", key=""
    ),
    "no-restart-policy/clean": Case(
        "no-restart-policy", service("image: nginx:1.27\nrestart: unless-stopped")
    ),
    "no-labels/missing": Case(
        "no-labels", service("image: nginx:1.27"), expected="no labels", key=""
    ),
    "no-labels/clean-service": Case(
        "no-labels", service("image: nginx:1.27\nlabels:\n  team: web")
    ),
    "no-labels/clean-dockerfile": Case(
        "no-labels",
        service(BUILD),
        "FROM alpine:3.20\nLABEL org.opencontainers.image.source=https://example.com/app\n",
    ),
    # configuration
    "command-credentials/mysql": Case(
        "command-credentials",
        service("image: mysql:8.4\ncommand: mysqladmin -uroot -phunter2 ping"),
        expected="command passes a credential in -p",
        key="command",
    ),
    "command-credentials/option": Case(
        "command-credentials",
        service('image: app:1.0\ncommand: ["serve", "--db-password", "hunter2"]'),
        expected="credential in --db-password",
        key="command",
    ),
    "command-credentials/url": Case(
        "command-credentials",
        service("image: app:1.0\nentrypoint: migrate postgres://app:hunter2@db/app"),
        expected="a URL with a password",
        key="entrypoint",
    ),
    "command-credentials/curl-user": Case(
        "command-credentials",
        service("image: curlimages/curl:8.9.1\ncommand: curl -fsS -u admin:hunter2 http://api/"),
        expected="credential in -u",
        key="command",
    ),
    "command-credentials/dockerfile": Case(
        "command-credentials",
        service(BUILD),
        'FROM alpine:3.20\nCMD ["serve", "--api-token=hunter2"]\n',
        expected="CMD passes a credential in --api-token",
        key="Dockerfile:2",
    ),
    "command-credentials/clean": Case(
        "command-credentials",
        service(
            "image: app:1.0\ncommand: serve --password-file /run/secrets/db "
            "--token=$$API_TOKEN -p 8080 postgres://app@db/app && curl -u $$CURL_USER x"
        ),
    ),
    "command-host/url": Case(
        "command-host",
        service("image: app:1.0\ncommand: serve --upstream https://api.example.com/v1"),
        expected="names the host api.example.com",
        key="command",
    ),
    "command-host/ip": Case(
        "command-host",
        service("image: app:1.0\ncommand: serve --db 10.1.2.3:5432"),
        expected="names the host 10.1.2.3",
        key="command",
    ),
    "command-host/clean": Case(
        "command-host",
        "services:\n  app:\n    image: app:1.0\n    command: serve --listen 0.0.0.0:80 "
        "--db http://db:5432 --self http://localhost:80/\n  db:\n    image: postgres:16\n",
    ),
}


@pytest.mark.parametrize("case_id", list(CASES), ids=list(CASES))
def test_rule_case(case_id: str, tmp_path: Path) -> None:
    case = CASES[case_id]
    files = {"compose.yaml": case.compose, **case.files}
    if case.dockerfile is not None:
        files["Dockerfile"] = case.dockerfile
    report, _ = check_files(tmp_path, files, require_digest=case.require_digest)
    found = [finding for finding in report.findings if finding.rule.id == case.rule]
    if case.expected is None:
        assert found == [], [finding.message for finding in found]
        return
    assert len(found) == 1, [finding.message for finding in found]
    finding = found[0]
    assert case.expected in finding.message
    assert finding.service == "app"
    if case.key is not None and case.key.startswith("Dockerfile:"):
        assert f"{finding.location.file}:{finding.location.line}" == case.key
    elif case.key is not None:
        assert format_key_path(finding.key_path) == case.key
        assert finding.location.file == "compose.yaml"
        assert finding.location.line is not None


def test_every_rule_has_cases() -> None:
    triggered = {case.rule for case in CASES.values() if case.expected is not None}
    clean = {case.rule for case in CASES.values() if case.expected is None}
    assert set(RULES) - triggered == set()
    assert set(RULES) - clean == set()

"""Users, capabilities, security options and --harden."""

from __future__ import annotations

import pytest

from tests.convert.conftest import ConvertText


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ('"1000"', {"runAsUser": 1000}),
        ('"1000:1000"', {"runAsUser": 1000, "runAsGroup": 1000}),
        ("1001:2002", {"runAsUser": 1001, "runAsGroup": 2002}),
        ("root", {"runAsUser": 0}),
    ],
)
def test_numeric_users(convert_text: ConvertText, user: str, expected: dict[str, int]) -> None:
    text = f"""
services:
  app: {{image: app:1, user: {user}}}
"""
    assert convert_text(text).container("Deployment", "app")["securityContext"] == expected


def test_user_name_warns(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, user: www-data}
"""
    result = convert_text(text)
    assert "securityContext" not in result.container("Deployment", "app")
    assert result.warned("'app'", "user", "numeric")


def test_container_security_fields(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    cap_add: [NET_ADMIN, CAP_SYS_TIME]
    cap_drop: [ALL]
    read_only: true
    security_opt: ["no-new-privileges:true", "apparmor:unconfined"]
"""
    result = convert_text(text)
    security = result.container("Deployment", "app")["securityContext"]
    assert security["capabilities"] == {"add": ["NET_ADMIN", "SYS_TIME"], "drop": ["ALL"]}
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert result.warned("'app'", "security_opt[1]")


def test_pod_security_fields(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    sysctls: {net.core.somaxconn: 1024}
    group_add: [100, audio]
    pid: host
    ipc: host
"""
    result = convert_text(text)
    pod = result.pod("Deployment", "app")
    assert pod["securityContext"]["sysctls"] == [{"name": "net.core.somaxconn", "value": "1024"}]
    assert pod["securityContext"]["supplementalGroups"] == [100]
    assert pod["hostPID"] is True
    assert pod["hostIPC"] is True
    assert result.warned("'app'", "group_add[1]")


def test_harden_sets_restricted_fields(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, cap_add: [NET_BIND_SERVICE]}
"""
    result = convert_text(text, harden=True)
    security = result.container("Deployment", "app")["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"] == {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    assert any(note.startswith("app: --harden set runAsNonRoot") for note in result.notes)


def test_harden_keeps_explicit_choices(convert_text: ConvertText) -> None:
    text = """
services:
  root: {image: app:1, user: "0"}
  priv: {image: app:1, privileged: true}
"""
    result = convert_text(text, harden=True)
    root = result.container("Deployment", "root")["securityContext"]
    priv = result.container("Deployment", "priv")["securityContext"]
    assert "runAsNonRoot" not in root
    assert "allowPrivilegeEscalation" not in priv
    assert priv["privileged"] is True


def test_harden_off_by_default(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1}
"""
    result = convert_text(text)
    assert "securityContext" not in result.container("Deployment", "app")
    assert result.notes == []

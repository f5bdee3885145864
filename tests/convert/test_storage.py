"""Volumes: bind mounts by what they are, shared named volumes, tmpfs, volumes_from."""

from __future__ import annotations

from pathlib import Path

from tests.convert.helpers import convert

PROXY = """
services:
  proxy:
    image: nginx:1.27
    volumes:
      - ./proxy/nginx.conf:/etc/nginx/nginx.conf:ro
      - ./proxy/certs:/etc/nginx/certs:ro
      - /var/run/docker.sock:/var/run/docker.sock
      - ./uploads:/srv/uploads
"""


def write_proxy(project: Path) -> None:
    (project / "proxy" / "certs").mkdir(parents=True)
    (project / "proxy" / "nginx.conf").write_text("events {}\n" * 100)
    (project / "proxy" / "certs" / "a.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (project / "proxy" / "certs" / "b.pem").write_text("-----BEGIN CERTIFICATE-----\n")


def test_bind_file_becomes_config_map_with_sub_path(tmp_path: Path) -> None:
    write_proxy(tmp_path)
    result = convert(tmp_path, PROXY)
    assert result.exit_code == 0, result.stderr
    config_map = result.find("ConfigMap", "proxy-nginx-conf")
    assert config_map["data"]["nginx.conf"] == "events {}\n" * 100
    mounts = {mount["mountPath"]: mount for mount in result.container("proxy")["volumeMounts"]}
    conf = mounts["/etc/nginx/nginx.conf"]
    assert conf["subPath"] == "nginx.conf"
    assert conf["readOnly"] is True


def test_bind_folder_read_only_becomes_config_map(tmp_path: Path) -> None:
    write_proxy(tmp_path)
    result = convert(tmp_path, PROXY)
    assert result.exit_code == 0, result.stderr
    certs = result.find("ConfigMap", "proxy-certs")
    assert sorted(certs["data"]) == ["a.pem", "b.pem"]
    mounts = {mount["mountPath"]: mount for mount in result.container("proxy")["volumeMounts"]}
    assert "subPath" not in mounts["/etc/nginx/certs"]


def test_docker_socket_is_left_out_with_warning(tmp_path: Path) -> None:
    write_proxy(tmp_path)
    result = convert(tmp_path, PROXY)
    assert result.exit_code == 0, result.stderr
    paths = [mount["mountPath"] for mount in result.container("proxy")["volumeMounts"]]
    assert "/var/run/docker.sock" not in paths
    socket_warnings = [line for line in result.warnings() if "docker.sock" in line]
    assert len(socket_warnings) == 1
    assert "service 'proxy', volumes[2]" in socket_warnings[0]
    assert "hostpath" in socket_warnings[0]


def test_writable_bind_folder_becomes_claim(tmp_path: Path) -> None:
    write_proxy(tmp_path)
    result = convert(tmp_path, PROXY)
    assert result.exit_code == 0, result.stderr
    claims = [claim["metadata"]["name"] for claim in result.kinds("PersistentVolumeClaim")]
    assert claims == ["uploads"]
    assert any("./uploads" in line and "not copied" in line for line in result.warnings())


def test_bind_folder_modes(tmp_path: Path) -> None:
    compose = "services:\n  app:\n    image: example/app:1\n    volumes: [/srv/data:/data]\n"
    hostpath = convert(tmp_path / "a", compose, "--bind-mounts", "hostpath")
    assert hostpath.exit_code == 0, hostpath.stderr
    assert hostpath.pod("app")["volumes"][0]["hostPath"]["path"] == "/srv/data"
    emptydir = convert(tmp_path / "b", compose, "--bind-mounts", "emptydir")
    assert emptydir.exit_code == 0, emptydir.stderr
    assert emptydir.pod("app")["volumes"][0]["emptyDir"] == {}
    assert emptydir.kinds("PersistentVolumeClaim") == []


def test_bind_file_over_one_mebibyte_fails(tmp_path: Path) -> None:
    (tmp_path / "big.bin").write_bytes(b"x" * (1024 * 1024 + 1))
    out = tmp_path / "out.yaml"
    result = convert(
        tmp_path,
        "services:\n  app:\n    image: example/app:1\n    volumes: [./big.bin:/data/big.bin:ro]\n",
        "-o",
        str(out),
    )
    assert result.exit_code == 2
    assert "services.app.volumes[0]" in result.stderr
    assert "1 MiB" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


SHARED = """
services:
  app:    {image: "example/app:1",    volumes: ["shared:/var/app/data"]}
  worker: {image: "example/worker:1", volumes: ["shared:/srv/data"]}
  backup: {image: "example/backup:1", volumes: ["shared:/backup/src:ro"]}
volumes: {shared: {}}
"""


def test_shared_named_volume_is_one_claim(tmp_path: Path) -> None:
    result = convert(tmp_path, SHARED)
    assert result.exit_code == 0, result.stderr
    assert [claim["metadata"]["name"] for claim in result.kinds("PersistentVolumeClaim")] == [
        "shared"
    ]
    for name in ("app", "worker", "backup"):
        volumes = result.pod(name)["volumes"]
        assert volumes[0]["persistentVolumeClaim"]["claimName"] == "shared"
        assert result.find("Deployment", name)["spec"]["strategy"] == {"type": "Recreate"}
    assert result.container("backup")["volumeMounts"][0]["readOnly"] is True
    assert "readOnly" not in result.container("app")["volumeMounts"][0]
    shared_warnings = [line for line in result.warnings() if "ReadWriteMany" in line]
    assert len(shared_warnings) == 1


def test_read_write_many_claim_needs_no_recreate(tmp_path: Path) -> None:
    compose = SHARED.replace(
        "volumes: {shared: {}}", "volumes: {shared: {x-kompile: {accessModes: [ReadWriteMany]}}}"
    )
    result = convert(tmp_path, compose)
    assert result.exit_code == 0, result.stderr
    claim = result.find("PersistentVolumeClaim", "shared")
    assert claim["spec"]["accessModes"] == ["ReadWriteMany"]
    assert "strategy" not in result.find("Deployment", "app")["spec"]
    assert not [line for line in result.warnings() if "ReadWriteMany" in line]


def test_tmpfs_forms_become_memory_empty_dirs(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  a: {image: example/a, tmpfs: /run}
  b:
    image: example/b
    tmpfs: ["/tmp:size=64m,mode=1777"]
    volumes:
      - {type: tmpfs, target: /cache, tmpfs: {size: 10485760}}
""",
    )
    assert result.exit_code == 0, result.stderr
    assert result.kinds("PersistentVolumeClaim") == []
    a_volumes = result.pod("a")["volumes"]
    assert a_volumes == [{"name": "tmpfs-0", "emptyDir": {"medium": "Memory"}}]
    assert result.container("a")["volumeMounts"][0]["mountPath"] == "/run"
    b_dirs = {
        mount["mountPath"]: volume["emptyDir"]
        for mount, volume in zip(
            result.container("b")["volumeMounts"], result.pod("b")["volumes"], strict=True
        )
    }
    assert b_dirs["/tmp"] == {"medium": "Memory", "sizeLimit": "64Mi"}
    assert b_dirs["/cache"] == {"medium": "Memory", "sizeLimit": "10Mi"}
    mode_warnings = [line for line in result.warnings() if "mode" in line]
    assert len(mode_warnings) == 1
    assert "service 'b', tmpfs[0]" in mode_warnings[0]


def test_volumes_from_mounts_same_claims(tmp_path: Path) -> None:
    result = convert(
        tmp_path,
        """
services:
  app: {image: "example/app:1", volumes: ["data:/var/lib/app"]}
  sidecar: {image: "example/sidecar:1", volumes_from: ["app:ro"]}
volumes: {data: {}}
""",
    )
    assert result.exit_code == 0, result.stderr
    mount = result.container("sidecar")["volumeMounts"][0]
    assert mount["mountPath"] == "/var/lib/app"
    assert mount["readOnly"] is True
    assert result.pod("sidecar")["volumes"][0]["persistentVolumeClaim"]["claimName"] == "data"

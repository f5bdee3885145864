"""deploy.resources and the older limit keys to container resources."""

from __future__ import annotations

import pytest

from kompile.errors import ConversionError, KompileError
from tests.convert.conftest import ConvertText

UNITS_CASE = """
services:
  api:
    image: example/api:1
    deploy:
      resources:
        limits: {cpus: "0.5", memory: 256m}
  worker:
    image: example/worker:1
    mem_limit: 1g
    cpus: 1.5
    deploy:
      resources:
        reservations: {cpus: "0.25", memory: 128M}
"""


def test_limits_without_reservations(convert_text: ConvertText) -> None:
    result = convert_text(UNITS_CASE)
    resources = result.container("Deployment", "api")["resources"]
    assert resources == {"limits": {"cpu": "500m", "memory": "256Mi"}}


def test_legacy_limits_and_reservations(convert_text: ConvertText) -> None:
    result = convert_text(UNITS_CASE)
    resources = result.container("Deployment", "worker")["resources"]
    assert resources["limits"] == {"cpu": "1500m", "memory": "1Gi"}
    assert resources["requests"] == {"cpu": "250m", "memory": "128Mi"}


def test_compose_m_is_never_milli(convert_text: ConvertText) -> None:
    result = convert_text(UNITS_CASE)
    memories = [
        container["resources"].get(section, {}).get("memory")
        for deployment in result.of_kind("Deployment")
        for container in deployment["spec"]["template"]["spec"]["containers"]
        for section in ("limits", "requests")
    ]
    assert "256m" not in memories
    assert "128M" not in memories


@pytest.mark.parametrize(
    ("memory", "quantity"),
    [("1.5g", "1536Mi"), ("512M", "512Mi"), ("268435456", "256Mi"), ("100000", "100000")],
)
def test_memory_spellings(convert_text: ConvertText, memory: str, quantity: str) -> None:
    text = f"""
services:
  app:
    image: app:1
    deploy: {{resources: {{limits: {{memory: "{memory}"}}}}}}
"""
    resources = convert_text(text).container("Deployment", "app")["resources"]
    assert resources["limits"]["memory"] == quantity


def test_cpu_quota_sets_limit(convert_text: ConvertText) -> None:
    text = """
services:
  app: {image: app:1, cpu_quota: 50000, cpu_period: 100000}
"""
    resources = convert_text(text).container("Deployment", "app")["resources"]
    assert resources == {"limits": {"cpu": "500m"}}


def test_gpu_reservation_becomes_limit(convert_text: ConvertText) -> None:
    text = """
services:
  train:
    image: trainer:1
    deploy:
      resources:
        reservations:
          devices: [{driver: nvidia, count: 2, capabilities: [gpu]}]
"""
    resources = convert_text(text).container("Deployment", "train")["resources"]
    assert resources == {"limits": {"nvidia.com/gpu": "2"}}


def test_non_gpu_device_warns(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    deploy:
      resources:
        reservations:
          devices: [{capabilities: [tpu], count: 1}]
"""
    result = convert_text(text)
    assert "resources" not in result.container("Deployment", "app")
    assert result.warned("'app'", "devices[0]", "only GPU")


def test_pids_limit_warns(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    deploy: {resources: {limits: {pids: 100}}}
"""
    assert convert_text(text).warned("'app'", "limits.pids")


def test_reservation_above_limit_rejected(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    deploy:
      resources:
        limits: {memory: 128m}
        reservations: {memory: 256m}
"""
    with pytest.raises(ConversionError, match="memory reservation is larger"):
        convert_text(text)


def test_invalid_memory_rejected(convert_text: ConvertText) -> None:
    text = """
services:
  app:
    image: app:1
    deploy: {resources: {limits: {memory: lots}}}
"""
    with pytest.raises(KompileError, match=r"compose.yaml:\d+.*limits.memory"):
        convert_text(text)

"""Generate compose projects of N services for the benchmarks, the same on every run.

Each service has an image whose tag is a variable with a default, two ports, six
environment variables (two of them secret), a named volume, a bind mount, a healthcheck,
resource limits and a dependency on the service before it, so every mapper does work for
every service.

    python benchmarks/generate.py 1000 OUTPUT_FOLDER
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml


def service(index: int) -> dict[str, object]:
    definition: dict[str, object] = {
        "image": f"registry.example.com/team/app-{index % 50}:${{TAG:-1.{index % 7}.0}}",
        "ports": [f"{8000 + index % 1000}:8080", "9100"],
        "environment": {
            "LOG_LEVEL": "info",
            "LISTEN_PORT": "8080",
            "UPSTREAM_URL": f"http://svc-{max(index - 1, 0)}:8080",
            "FEATURE_FLAGS": "alpha,beta",
            "DB_PASSWORD": f"benchmark-password-{index}",
            "API_TOKEN": f"benchmark-token-{index:06d}",
        },
        "volumes": [f"data-{index}:/var/lib/app", f"./config/svc-{index}:/etc/app:ro"],
        "healthcheck": {
            "test": ["CMD", "wget", "-q", "-O-", "http://localhost:8080/health"],
            "interval": "30s",
            "timeout": "5s",
            "retries": 3,
        },
        "deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "256M"}}},
    }
    if index:
        definition["depends_on"] = [f"svc-{index - 1}"]
    return definition


def project(count: int) -> dict[str, object]:
    """Return a compose document with ``count`` services."""
    return {
        "name": f"bench-{count}",
        "services": {f"svc-{index}": service(index) for index in range(count)},
        "volumes": {f"data-{index}": {} for index in range(count)},
    }


def write(count: int, folder: Path) -> Path:
    """Write the project of ``count`` services to ``folder``/compose.yaml and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "compose.yaml"
    path.write_text(yaml.safe_dump(project(count), sort_keys=False))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of services")
    parser.add_argument("folder", type=Path, help="folder to write compose.yaml into")
    arguments = parser.parse_args()
    print(write(arguments.count, arguments.folder))


if __name__ == "__main__":
    main()

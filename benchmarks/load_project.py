"""Time loading a generated 1000-service compose project against a bare YAML parse.

The floor is PyYAML's libyaml ``CSafeLoader`` parsing the same file: no compose reader
can be faster than reading the YAML once. The script prints both medians, their ratio
and the machine it ran on. Run it with ``python benchmarks/load_project.py``.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
import typing as t
from pathlib import Path

import yaml

from kompile.compose.loader import LoadOptions, load_project
from kompile.diagnostics import Diagnostics

SERVICES = 1000
ROUNDS = 5


def generate(folder: Path) -> Path:
    """Write a project whose services use the common keys in short syntax."""
    lines = ["services:"]
    for index in range(SERVICES):
        lines += [
            f"  svc{index}:",
            f"    image: example/app{index}:${{TAG:-1.0}}",
            f'    ports: ["{8000 + index % 1000}:80", "127.0.0.1::9000/udp"]',
            f"    volumes: [./data/{index}:/data:ro, cache:/cache]",
            "    environment:",
            f"      INDEX: '{index}'",
            "      MODE: ${MODE:-production}",
            "    command: serve --port 80 --verbose",
            "    healthcheck: {test: curl -f http://localhost/, interval: 30s, timeout: 5s}",
            "    deploy: {resources: {limits: {cpus: '0.5', memory: 256m}}}",
            f"    depends_on: [svc{max(index - 1, 0)}]" if index else "    labels: [tier=root]",
        ]
    lines += ["volumes:", "  cache: {}", ""]
    path = folder / "compose.yaml"
    path.write_text("\n".join(lines))
    return path


def median_seconds(action: t.Callable[[], object]) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = generate(Path(folder))
        text = path.read_text()
        options = LoadOptions(files=[str(path)], environ={}, working_dir=Path(folder))

        def parse() -> object:
            return yaml.load(text, Loader=yaml.CSafeLoader)

        def load() -> object:
            return load_project(options, Diagnostics())

        floor = median_seconds(parse)
        loading = median_seconds(load)
    print(f"services:         {SERVICES} ({len(text) / 1024:.0f} KiB of YAML)")
    print(f"CSafeLoader parse: {floor * 1000:.1f} ms (median of {ROUNDS})")
    print(f"kompile load:      {loading * 1000:.1f} ms (median of {ROUNDS})")
    print(f"ratio:             {loading / floor:.2f}x")
    print(
        f"machine:           {platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}, PyYAML {yaml.__version__}, {platform.system()}"
    )


if __name__ == "__main__":
    main()

"""Measure kompile against its floors and its peers, in one run, and print a Markdown report.

Every figure is the median of repeated runs, with the peak memory of the measured
process. Ratios come first, because absolute times depend on the machine.

    python benchmarks/run.py [--repeat 5] [--sizes 10,100,1000,5000] [--output FILE]

Peers and floors: ``python -c "import yaml"`` (the start-up floor), the reference
``docker-compose config`` binary, a bare PyYAML C-loader parse, and kubectl's
server-side apply and diff against the same API test double.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import typing as t
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import generate  # noqa: E402

LAMP = ROOT / "golden" / "lamp-stack" / "compose.yaml"
BIN = Path(sys.executable).parent


@dataclass
class Measure:
    """Median wall time in seconds and peak resident memory in MiB of repeated runs."""

    seconds: float
    peak_mib: float

    def __str__(self) -> str:
        return f"{self.seconds * 1000:.0f} ms, {self.peak_mib:.0f} MiB"


def run_process(command: list[str], repeat: int, env: dict[str, str] | None = None) -> Measure:
    """Run ``command`` ``repeat`` times; return the median wall time and the peak memory."""
    times = []
    peak = 0
    for _ in range(repeat):
        start = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT
        )
        _, status, usage = os.wait4(process.pid, 0)
        times.append(time.perf_counter() - start)
        stderr = process.stderr.read().decode() if process.stderr else ""
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise RuntimeError(f"{' '.join(command)} failed: {stderr.strip()[:300]}")
        # ru_maxrss is in KiB on Linux.
        peak = max(peak, usage.ru_maxrss)
    return Measure(statistics.median(times), peak / 1024)


def run_inline(function: t.Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kompile(*args: str) -> list[str]:
    return [str(BIN / "kompile"), *args]


def startup(repeat: int) -> list[str]:
    floor = run_process([sys.executable, "-c", "import yaml"], repeat)
    ours = run_process(kompile("convert", "-q", "-f", str(LAMP)), repeat)
    rows = [
        f"| start-up floor: `python -c 'import yaml'` | {floor} | 1.00 |",
        f"| `kompile convert` of the LAMP stack | {ours} | {ours.seconds / floor.seconds:.2f} |",
    ]
    reference = shutil.which("docker-compose", path=str(BIN)) or shutil.which("docker-compose")
    if reference:
        peer = run_process([reference, "-f", str(LAMP), "config", "--format", "json"], repeat)
        rows.append(
            f"| `docker-compose config` of the LAMP stack | {peer} | "
            f"{peer.seconds / floor.seconds:.2f} |"
        )
    return rows


def convert_sizes(sizes: list[int], repeat: int, work: Path) -> list[str]:
    rows = []
    previous: tuple[int, float] | None = None
    for size in sizes:
        path = generate.write(size, work / f"project-{size}")
        command = kompile("convert", "-q", "-f", str(path), "-o", str(work / "out.yaml"))
        measure = run_process(command, repeat if size <= 1000 else max(1, repeat // 2))
        per_service = measure.seconds / size * 1000
        growth = ""
        if previous is not None:
            growth = f"{measure.seconds / previous[1]:.2f} for {size // previous[0]}x services"
        rows.append(f"| convert {size} services | {measure} | {per_service:.2f} ms | {growth} |")
        previous = (size, measure.seconds)
    return rows


def load_vs_parse(size: int, repeat: int, work: Path) -> list[str]:
    import yaml

    from kompile.compose.loader import LoadOptions, load_project
    from kompile.diagnostics import Diagnostics

    path = generate.write(size, work / f"project-{size}")
    text = path.read_text()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    bare = run_inline(lambda: yaml.load(text, Loader=loader), repeat)

    def load() -> object:
        return load_project(LoadOptions(files=[str(path)]), Diagnostics())

    ours = run_inline(load, repeat)
    return [
        f"| bare CSafeLoader parse, {size} services | {bare * 1000:.0f} ms | 1.00 |",
        f"| kompile load, {size} services | {ours * 1000:.0f} ms | {ours / bare:.2f} |",
    ]


def cluster_command(tool: str, verb: str, config: str, path: Path, manifests: Path) -> list[str]:
    """Return the apply or diff command of kompile or kubectl for one project."""
    if tool == "kompile":
        return kompile(verb, "-q", "--kubeconfig", config, "-n", "bench", "-f", str(path))
    return [
        shutil.which("kubectl") or "kubectl",
        "--kubeconfig",
        config,
        "--cache-dir",
        str(Path(config).parent / "kubectl-cache"),
        verb,
        "--server-side",
        "--field-manager=kompile",
        "-f",
        str(manifests),
    ]


def cluster_rows(size: int, repeat: int, work: Path) -> list[str]:
    """Time apply and diff of ``size`` services against the API test double, with kubectl."""
    from tests.apiserver.server import ApiServer

    path = generate.write(size, work / f"cluster-{size}")
    manifests = work / f"manifests-{size}"
    convert = kompile("convert", "-q", "-f", str(path), "-n", "bench", "-o", str(manifests))
    subprocess.run(convert, check=True)
    tools = ["kompile", "kubectl"] if shutil.which("kubectl") else ["kompile"]
    rows = []
    for verb in ("apply", "diff"):
        results: dict[str, tuple[float, int]] = {}
        for tool in tools:
            times = []
            requests = 0
            for _ in range(repeat):
                server = ApiServer().start()
                try:
                    server.create_namespace("bench")
                    config = str(server.write_kubeconfig(work / "kubeconfig", namespace="bench"))
                    if verb == "diff":
                        setup = cluster_command("kompile", "apply", config, path, manifests)
                        subprocess.run(setup, check=True, capture_output=True)
                    server.requests.clear()
                    command = cluster_command(tool, verb, config, path, manifests)
                    times.append(run_process(command, 1).seconds)
                    requests = len(server.requests.records)
                finally:
                    server.stop()
            results[tool] = (statistics.median(times), requests)
        ours_time, ours_requests = results["kompile"]
        line = f"| {verb} {size} services | {ours_time * 1000:.0f} ms, {ours_requests} requests |"
        if "kubectl" in results:
            theirs_time, theirs_requests = results["kubectl"]
            ratio = ours_time / theirs_time
            line += f" {theirs_time * 1000:.0f} ms, {theirs_requests} requests | {ratio:.2f} |"
        else:
            line += " kubectl not installed | |"
        rows.append(line)
    return rows


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    parser.add_argument("--sizes", default="10,100,1000,5000", help="service counts to convert")
    parser.add_argument("--cluster-size", type=int, default=100, help="services for apply/diff")
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="kompile-bench-") as folder:
        work = Path(folder)
        lines = [
            f"Measured {datetime.date.today().isoformat()} on {machine()}.",
            "",
            "| job | median time, peak memory | ratio to floor |",
            "| --- | --- | --- |",
            *startup(arguments.repeat),
            "",
            "| job | median time, peak memory | per service | growth |",
            "| --- | --- | --- | --- |",
            *convert_sizes(sizes, arguments.repeat, work),
            "",
            "| job | median time | ratio to bare parse |",
            "| --- | --- | --- |",
            *load_vs_parse(1000, arguments.repeat, work),
            "",
            "| job | kompile | kubectl | time ratio |",
            "| --- | --- | --- | --- |",
            *cluster_rows(arguments.cluster_size, max(1, arguments.repeat // 2), work),
        ]
    report = "\n".join(lines) + "\n"
    print(report)
    if arguments.output:
        arguments.output.write_text(report)


if __name__ == "__main__":
    main()

"""Measure kompile against its floors and its peers, in one run, and print a Markdown report.

Every time is the median of repeated runs; processes also report their peak resident
memory. Ratios come first, because absolute times depend on the machine.

    python benchmarks/run.py [--repeat 7] [--sizes 10,100,1000,5000] [--output FILE]

Floors and peers: ``python -c "import yaml"`` (the start-up floor), the reference
``docker-compose config`` binary, a bare PyYAML C-loader parse, and kubectl's server-side
apply and diff against the same API test double (tests/apiserver on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import compileall
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
PYTHON = str(BIN / "python")

# The targets: (name, limit). A measured ratio at or below the limit meets it.
STARTUP_LIMIT = 1.5
CONVERT_1000_LIMIT = 2.0
GROWTH_LIMIT = 5.5
LOAD_LIMIT = 3.0
APPLY_LIMIT = 0.5


@dataclass
class Measure:
    """Median wall time in seconds and peak resident memory in MiB of repeated runs."""

    seconds: float
    peak_mib: float
    runs: int

    def __str__(self) -> str:
        return f"{milliseconds(self.seconds)}, {self.peak_mib:.0f} MiB"


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


GNU_TIME = Path("/usr/bin/time")


def run_once(command: list[str], env: dict[str, str] | None = None) -> tuple[float, int]:
    """Run ``command`` once; return its wall time and its ``ru_maxrss`` in KiB."""
    start = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    process.stderr.close()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # Exit code 1 is diff's "differences found".
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed: {stderr.strip()[:300]}")
    # ru_maxrss is in KiB on Linux.
    return seconds, usage.ru_maxrss


def peak_memory(command: list[str], env: dict[str, str] | None = None) -> int:
    """Return the peak resident memory of one run of ``command`` in KiB.

    Linux counts the memory a child had between fork and exec, which is this script's,
    in the child's ``ru_maxrss``. GNU time forks the command from its own small image and
    reports the command's peak alone, so it is used when installed.
    """
    if not GNU_TIME.exists():
        return run_once(command, env)[1]
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        run_once([str(GNU_TIME), "-f", "%M", "-o", report.name, *command], env)
        return int(report.read().split()[-1])


def run_process(command: list[str], repeat: int, env: dict[str, str] | None = None) -> Measure:
    """Run ``command`` ``repeat`` times; return the median wall time and the peak memory.

    The times come from plain runs; the peak memory from one more run under GNU time.
    """
    times = [run_once(command, env)[0] for _ in range(repeat)]
    return Measure(statistics.median(times), peak_memory(command, env) / 1024, repeat)


def run_interleaved(commands: list[list[str]], repeat: int) -> list[Measure]:
    """Measure several commands in rounds of one run each, so a change of load hits all."""
    rounds = [[run_once(command)[0] for command in commands] for _ in range(repeat)]
    return [
        Measure(
            statistics.median(times[index] for times in rounds),
            peak_memory(command) / 1024,
            repeat,
        )
        for index, command in enumerate(commands)
    ]


def run_inline(function: t.Callable[[], object], repeat: int) -> float:
    """Return the median wall time of ``repeat`` calls of ``function`` in this process."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def kompile(*args: str) -> list[str]:
    return [str(BIN / "kompile"), *args]


def verdict(value: float, limit: float) -> str:
    """Return "met" or "missed" with the margin, for a value whose limit is an upper bound."""
    if value <= limit:
        return f"met ({(1 - value / limit) * 100:.0f}% under the limit)"
    return f"missed ({value / limit:.2f}x the limit)"


class Report:
    """The lines of the Markdown report and the target rows, filled section by section."""

    def __init__(self) -> None:
        self.sections: list[str] = []
        self.targets: list[str] = []

    def table(self, title: str, header: list[str], rows: list[list[str]], note: str = "") -> None:
        lines = [f"### {title}", ""]
        if note:
            lines += [note, ""]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + " --- |" * len(header))
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        self.sections.append("\n".join(lines))

    def target(self, name: str, measured: str, result: str) -> None:
        self.targets.append(f"| {name} | {measured} | {result} |")

    def upper_bound(self, name: str, measured: str, value: float, limit: float) -> None:
        """Add a target that ``value`` meets when it is at most ``limit``."""
        self.target(name, measured, verdict(value, limit))


def startup(report: Report, repeat: int) -> None:
    steps = [
        ("`python -c 'import yaml'` (floor)", [PYTHON, "-c", "import yaml"]),
        ("`python -c 'import yaml, click'`", [PYTHON, "-c", "import yaml, click"]),
        ("import `kompile.cli`", [PYTHON, "-c", "import kompile.cli"]),
        (
            "import every module convert uses",
            [
                PYTHON,
                "-c",
                "import kompile.cli, kompile.compose.loader, kompile.convert.pipeline, "
                "kompile.output.manifests",
            ],
        ),
        ("`kompile convert` of the LAMP stack", kompile("convert", "-q", "-f", str(LAMP))),
    ]
    reference = shutil.which("docker-compose", path=str(BIN)) or shutil.which("docker-compose")
    if reference:
        command = [reference, "-f", str(LAMP), "config", "--format", "json"]
        steps.append(("`docker-compose config` of the LAMP stack (peer)", command))
    measures = run_interleaved([command for _, command in steps], repeat)
    floor = measures[0]
    rows = []
    ours = floor
    for (name, _), measure in zip(steps, measures, strict=True):
        rows.append([name, str(measure), f"{measure.seconds / floor.seconds:.2f}"])
        if name.startswith("`kompile convert`"):
            ours = measure
    report.table(
        "Start-up",
        ["job", "median time, peak memory", "ratio to floor"],
        rows,
        "The rows between the floor and the convert show where the start-up time goes. "
        "The commands run in rounds of one run each.",
    )
    ratio = ours.seconds / floor.seconds
    report.upper_bound(
        f"convert of the LAMP stack <= {STARTUP_LIMIT}x `import yaml`",
        f"{ratio:.2f}x",
        ratio,
        STARTUP_LIMIT,
    )


def convert_sizes(report: Report, sizes: list[int], repeat: int, work: Path) -> None:
    rows = []
    times: dict[int, float] = {}
    previous: tuple[int, float] | None = None
    for size in sizes:
        path = generate.write(size, work / f"project-{size}")
        command = kompile("convert", "-q", "-f", str(path), "-o", str(work / "out.yaml"))
        measure = run_process(command, repeat if size <= 1000 else max(3, repeat // 2))
        times[size] = measure.seconds
        growth = ""
        if previous is not None:
            growth = f"{measure.seconds / previous[1]:.2f} for {size / previous[0]:g}x services"
        per_service = f"{measure.seconds / size * 1000:.2f} ms"
        rows.append([f"convert {size} services", str(measure), per_service, growth])
        previous = (size, measure.seconds)
    report.table(
        "Convert of N generated services",
        ["job", "median time, peak memory", "per service", "growth"],
        rows,
        "Each service has an image whose tag is a variable, two ports, six environment "
        "variables (two secret), a named volume, a bind mount, a healthcheck, limits and a "
        "dependency (benchmarks/generate.py). Output goes to one YAML file.",
    )
    if 1000 in times:
        seconds = times[1000]
        report.upper_bound(
            f"convert of 1000 services <= {CONVERT_1000_LIMIT:g} s",
            milliseconds(seconds),
            seconds,
            CONVERT_1000_LIMIT,
        )
    if 1000 in times and 5000 in times:
        growth_ratio = times[5000] / times[1000]
        report.upper_bound(
            f"time(5000) / time(1000) <= {GROWTH_LIMIT}",
            f"{growth_ratio:.2f}",
            growth_ratio,
            GROWTH_LIMIT,
        )


def chart_sizes(report: Report, sizes: list[int], repeat: int, work: Path) -> None:
    rows = []
    for size in sizes:
        path = generate.write(size, work / f"project-{size}")
        output = work / f"chart-{size}"
        command = kompile("chart", "-q", "-f", str(path), "-o", str(output))
        # A later run replaces the chart that the first one wrote.
        measure = run_process(command, repeat if size <= 1000 else max(3, repeat // 2))
        shutil.rmtree(output, ignore_errors=True)
        per_service = f"{measure.seconds / size * 1000:.2f} ms"
        rows.append([f"chart {size} services", str(measure), per_service])
    report.table(
        "Chart of N generated services", ["job", "median time, peak memory", "per service"], rows
    )


def load_vs_parse(report: Report, size: int, repeat: int, work: Path) -> None:
    import yaml

    from kompile.compose.loader import LoadOptions, load_project
    from kompile.diagnostics import Diagnostics

    path = generate.write(size, work / f"project-{size}")
    text = path.read_text()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    options = LoadOptions(files=[str(path)], environ={}, working_dir=path.parent)

    def parse() -> object:
        return yaml.load(text, Loader=loader)

    def load() -> object:
        return load_project(options, Diagnostics())

    bare = run_inline(parse, repeat)
    ours = run_inline(load, repeat)
    report.table(
        f"Load of {size} services, in one process",
        ["job", "median time", "ratio to bare parse"],
        [
            [
                f"bare `{loader.__name__}` parse ({len(text) // 1024} KiB)",
                milliseconds(bare),
                "1.00",
            ],
            ["`kompile.compose.loader.load_project`", milliseconds(ours), f"{ours / bare:.2f}"],
        ],
        "load_project parses with positions, interpolates, validates, normalizes, merges "
        "and finalizes.",
    )
    ratio = ours / bare
    report.upper_bound(
        f"load <= {LOAD_LIMIT:g}x the bare parse", f"{ratio:.2f}x", ratio, LOAD_LIMIT
    )


def cluster_command(
    tool: str, verb: str, config: str, path: Path, manifests: Path, kubectl: str
) -> list[str]:
    """Return the apply or diff command of kompile or kubectl for one project."""
    if tool == "kompile":
        return kompile(verb, "-q", "--kubeconfig", config, "-n", "bench", "-f", str(path))
    return [
        kubectl,
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


def kubectl_binary() -> str | None:
    """Return the kubectl of the dev extra (a real binary), else the one on PATH."""
    bundled = BIN / "kubectl"
    return str(bundled) if bundled.exists() else shutil.which("kubectl")


def cluster_rows(report: Report, size: int, repeat: int, work: Path) -> None:
    """Time apply and diff of ``size`` services against the API test double, with kubectl."""
    from tests.apiserver.server import ApiServer

    path = generate.write(size, work / f"cluster-{size}")
    manifests = work / f"manifests-{size}"
    convert = kompile("convert", "-q", "-f", str(path), "-n", "bench", "-o", str(manifests))
    subprocess.run(convert, check=True)
    kubectl = kubectl_binary()
    tools = ["kompile", "kubectl"] if kubectl else ["kompile"]
    # HOME points into the work folder, so neither tool reads a kubeconfig of the user.
    env = {**os.environ, "HOME": str(work)}
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
                        setup = cluster_command("kompile", "apply", config, path, manifests, "")
                        subprocess.run(setup, check=True, capture_output=True, env=env)
                    server.requests.clear()
                    command = cluster_command(tool, verb, config, path, manifests, kubectl or "")
                    times.append(run_once(command, env)[0])
                    requests = len(server.requests.records)
                finally:
                    server.stop()
            results[tool] = (statistics.median(times), requests)
        ours_time, ours_requests = results["kompile"]
        row = [f"{verb} {size} services", f"{milliseconds(ours_time)}, {ours_requests} requests"]
        if "kubectl" in results:
            theirs_time, theirs_requests = results["kubectl"]
            ratio = ours_time / theirs_time
            row += [f"{milliseconds(theirs_time)}, {theirs_requests} requests", f"{ratio:.2f}"]
            if verb == "apply":
                report.upper_bound(
                    f"apply of {size} services <= {APPLY_LIMIT}x kubectl's time",
                    f"{ratio:.2f}x",
                    ratio,
                    APPLY_LIMIT,
                )
            else:
                fewer = theirs_requests - ours_requests
                report.target(
                    "diff: fewer requests than kubectl diff",
                    f"{ours_requests} vs {theirs_requests}",
                    f"met ({fewer} fewer)" if fewer > 0 else f"missed ({-fewer} more)",
                )
        else:
            row += ["kubectl not installed", ""]
        rows.append(row)
    objects = len(list(manifests.iterdir()))
    report.table(
        f"Apply and diff of {size} services ({objects} objects)",
        ["job", "kompile", "kubectl", "time ratio"],
        rows,
        "Each run starts a fresh API test double; diff runs after a kompile apply. kubectl "
        "runs `apply --server-side` and `diff --server-side` on the manifests that "
        "`kompile convert` wrote, so both send the same objects.",
    )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
                break
    except OSError:
        pass
    import yaml

    libyaml = "with libyaml" if getattr(yaml, "__with_libyaml__", False) else "without libyaml"
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, PyYAML {yaml.__version__} {libyaml}"
    )


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (median)")
    parser.add_argument("--sizes", default="10,100,1000,5000", help="service counts to convert")
    parser.add_argument("--chart-sizes", default="10,100,1000", help="service counts to chart")
    parser.add_argument("--load-size", type=int, default=1000, help="services for the load test")
    parser.add_argument("--cluster-size", type=int, default=100, help="services for apply/diff")
    parser.add_argument(
        "--cluster-repeat", type=int, default=3, help="runs per apply or diff figure (median)"
    )
    parser.add_argument("--output", type=Path, help="also write the report to this file")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    chart_list = [int(size) for size in arguments.chart_sizes.split(",") if size]
    # An installed package has its bytecode compiled. An editable install writes it on
    # first import, but not with PYTHONDONTWRITEBYTECODE set, and then every run compiles
    # every module again. Compiling first makes the start-up figures those of an install.
    compileall.compile_dir(ROOT / "src", quiet=1)
    report = Report()
    started = load_average()
    with tempfile.TemporaryDirectory(prefix="kompile-bench-") as folder:
        work = Path(folder)
        startup(report, arguments.repeat)
        convert_sizes(report, sizes, arguments.repeat, work)
        if chart_list:
            chart_sizes(report, chart_list, arguments.repeat, work)
        load_vs_parse(report, arguments.load_size, arguments.repeat, work)
        if arguments.cluster_size:
            cluster_rows(report, arguments.cluster_size, arguments.cluster_repeat, work)
    lines = [
        f"Measured {datetime.date.today().isoformat()} with `python benchmarks/run.py "
        f"--repeat {arguments.repeat}` on {machine()}.",
        f"Load average (1, 5, 15 min) at the start: {started}; at the end: {load_average()}.",
        "",
        "### Targets",
        "",
        "| target | measured | verdict |",
        "| --- | --- | --- |",
        *report.targets,
        "",
        "\n\n".join(report.sections),
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if arguments.output:
        arguments.output.write_text(text)


if __name__ == "__main__":
    main()

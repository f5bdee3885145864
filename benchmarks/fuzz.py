"""Fuzz ``kompile convert`` with many generated compose documents and record the result.

    python benchmarks/fuzz.py [--examples 20000] [--seed 1] [--record docs/benchmarks.md]

It draws documents from the strategy of the fuzz test (tests/fuzz/strategies.py) and
judges each run as that test does: exit 0 with schema-valid, consistent manifests, or
exit 2 with one ``Error:`` line. Unlike the test it does not stop at the first failure:
it counts every failing run, groups them by problem, and prints one document for each
problem. With ``--record`` it writes the figures into the ``Fuzzing convert`` section of
the given Markdown file, replacing that section and leaving the others as they are.
"""

from __future__ import annotations

import argparse
import collections
import os
import platform
import sys
import tempfile
import time
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from tests.fuzz.runner import judge  # noqa: E402
from tests.fuzz.strategies import compose_documents  # noqa: E402

HEADING = "## Fuzzing convert"


@dataclass
class Tally:
    """Exit codes and problems of all runs, with one document per problem."""

    exit_codes: collections.Counter[int] = field(default_factory=collections.Counter)
    problems: collections.Counter[str] = field(default_factory=collections.Counter)
    samples: dict[str, dict[str, t.Any]] = field(default_factory=dict)

    @property
    def examples(self) -> int:
        return sum(self.exit_codes.values())

    @property
    def failures(self) -> int:
        return sum(self.problems.values())


def fuzz(examples: int, random_seed: int, folder: Path) -> Tally:
    tally = Tally()

    @seed(random_seed)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(document=compose_documents())
    def run(document: dict[str, t.Any]) -> None:
        verdict = judge(document, folder)
        tally.exit_codes[verdict.exit_code] += 1
        if verdict.problem is not None:
            # Group by the problem's first words, so one fault with many values counts once.
            key = " ".join(verdict.problem.split()[:6])
            tally.problems[key] += 1
            tally.samples.setdefault(key, document)

    run()
    return tally


def report(tally: Tally, examples: int, random_seed: int, seconds: float) -> str:
    machine = (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}, "
        f"Python {platform.python_version()}"
    )
    lines = [
        HEADING,
        "",
        f"Script: `python benchmarks/fuzz.py --examples {examples} --seed {random_seed}`. It",
        "draws compose documents from the fuzz test's Hypothesis strategy, which follows the",
        "Compose specification's structure and puts a wrong type or random text into about",
        "one key in 32, and runs `kompile convert` in-process on each. A run passes when it",
        "exits 0 with manifests that pass strict schema validation (Kubernetes 1.29 and the",
        "newest schemas of kubernetes-validate) and the consistency checks, or exits 2 with",
        "one `Error:` line.",
        "",
        "| examples | exit 0 | exit 2 | failing runs | distinct problems | time |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {tally.examples} | {tally.exit_codes[0]} | {tally.exit_codes[2]} "
        f"| {tally.failures} | {len(tally.problems)} | {seconds / 60:.1f} min |",
        "",
        f"Machine: {machine}.",
        "",
    ]
    if tally.problems:
        lines += ["Problems found:", ""]
        lines += [f"- {count} runs: {key}" for key, count in tally.problems.most_common()]
        lines.append("")
    return "\n".join(lines)


def record(path: Path, section: str) -> None:
    """Replace the fuzzing section of ``path``, or append it, keeping the rest."""
    text = path.read_text(encoding="utf-8")
    start = text.find(HEADING)
    if start == -1:
        path.write_text(text.rstrip("\n") + "\n\n" + section, encoding="utf-8")
        return
    end = text.find("\n## ", start + len(HEADING))
    rest = text[end + 1 :] if end != -1 else ""
    path.write_text(text[:start] + section + ("\n" + rest if rest else ""), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--record", type=Path, help="Markdown file to write the section into.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        tally = fuzz(args.examples, args.seed, Path(folder))
        seconds = time.perf_counter() - started
    section = report(tally, args.examples, args.seed, seconds)
    print(section)
    for key, document in tally.samples.items():
        print(f"# {key}\n{document!r}\n", file=sys.stderr)
    if args.record:
        record(args.record, section)


if __name__ == "__main__":
    main()

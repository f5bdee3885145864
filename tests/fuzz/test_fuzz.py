"""Random compose documents, valid and broken, never crash ``kompile convert``.

Each example either converts (exit 0) into manifests that pass strict schema validation
and the consistency checks, or fails with exit 2 and one ``Error:`` line. The examples
are derandomized so every run tests the same documents; ``benchmarks/fuzz.py`` runs many
more with a random seed.
"""

from __future__ import annotations

import typing as t
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.runner import judge
from tests.fuzz.strategies import compose_documents

EXAMPLES = 300


@pytest.fixture(scope="module")
def fuzz_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(document=compose_documents())
def test_convert_exits_zero_or_two(document: dict[str, t.Any], fuzz_folder: Path) -> None:
    verdict = judge(document, fuzz_folder)
    assert verdict.problem is None


def test_judge_rejects_a_traceback(fuzz_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object, **kwargs: object) -> t.NoReturn:
        raise RuntimeError("mapper bug")

    monkeypatch.setattr("kompile.convert.pipeline.convert_project", explode)
    verdict = judge({"services": {"web": {"image": "nginx"}}}, fuzz_folder)
    assert verdict.problem is not None


def test_judge_rejects_invalid_output(fuzz_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def bad_objects(*args: object, **kwargs: object) -> list[dict[str, t.Any]]:
        return [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"a": 5}}
        ]

    monkeypatch.setattr("kompile.convert.pipeline.convert_project", bad_objects)
    verdict = judge({"services": {"web": {"image": "nginx"}}}, fuzz_folder)
    assert verdict.problem is not None

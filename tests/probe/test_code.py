"""Code probe on the real HumanEval records."""

from __future__ import annotations

import json
import logging

import pytest

from crosspair.ids import sha256_text
from crosspair.probe import probe

from .conftest import check_reject, check_row, make_candidate


@pytest.fixture(scope="module")
def humaneval(data):
    path = data / "text_code" / "humaneval_first50.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def _code(code, entry_point="f", key="HumanEval/x"):
    payload = {"code": code, "entry_point": entry_point, "language": "python"}
    return make_candidate("code", None, payload, path="humaneval.jsonl", record_key=key)


def test_first_problem_prompt_plus_body(humaneval, caplog):
    record = humaneval[0]
    code = record["prompt"] + record["canonical_solution"]
    with caplog.at_level(logging.INFO, logger="crosspair.probe.code"):
        row = check_row("code", probe(_code(code, record["entry_point"], record["task_id"]))[0])
    assert "does not parse" not in caplog.text
    assert row["code"] == code  # kept exactly, whitespace and all
    assert (row["entry_point"], row["language"]) == ("has_close_elements", "python")
    assert (row["n_lines"], row["size_bytes"]) == (19, 600)
    assert row["sha256"] == sha256_text(code)
    assert row["record_key"] == "HumanEval/0"


def test_all_fifty_problems_are_catalogued(humaneval):
    rows = [
        probe(_code(r["prompt"] + r["canonical_solution"], r["entry_point"])) for r in humaneval
    ]
    assert len(humaneval) == 50
    assert all(reject is None for _, reject in rows)
    assert len({row["sha256"] for row, _ in rows}) == 50


def test_body_only_code_is_catalogued_and_logged(humaneval, caplog):
    body = humaneval[0]["canonical_solution"]
    with caplog.at_level(logging.INFO, logger="crosspair.probe.code"):
        row, reject = probe(_code(body))
    assert reject is None and row["n_lines"] == 8
    assert "does not parse as Python" in caplog.text


def test_empty_code_is_empty_text():
    for code in ("", "\n  \n"):
        check_reject(probe(_code(code))[1], "empty_text")

"""The ``match`` block of a source and the discovery of its pool texts."""

import json
from pathlib import Path

import pytest

from crosspair.discover import discover
from crosspair.ids import item_id
from crosspair.sources import SourcesError, parse_sources

CODE_SOURCE = {
    "name": "code",
    "modality": "code",
    "root": ".",
    "licence": "MIT",
    "origin": "test",
    "manifest": {
        "path": "code.jsonl",
        "kind": "docstring",
        "id_field": "id",
        "code_fields": ["code"],
        "text_field": "doc",
    },
}


def _config(tmp_path, match):
    return parse_sources({"sources": [{**CODE_SOURCE, "match": match}]}, base_dir=tmp_path)


def test_pool_texts_become_text_candidates_and_bad_lines_rejects(tmp_path):
    (tmp_path / "code.jsonl").write_text(json.dumps({"id": "f", "code": "def f(): pass"}) + "\n")
    lines = [
        json.dumps({"id": "a", "text": "Add two numbers."}),
        json.dumps({"id": "b", "text": ["Sort a list.", "Return it sorted."]}),
        json.dumps({"id": "a", "text": "Again a."}),
        "[1, 2]",
    ]
    (tmp_path / "pool.jsonl").write_text("\n".join(lines) + "\n")
    config = _config(tmp_path, {"pool": "pool.jsonl", "kind": "docstring", "id_field": "id"})

    found = discover(config)
    pool = [c for c in found.candidates if c.path == "pool.jsonl"]
    assert [(c.record_key, c.payload["text"]) for c in pool] == [
        ("pool:a#0", "Add two numbers."),
        ("pool:b#0", "Sort a list."),
        ("pool:b#1", "Return it sorted."),
    ]
    assert pool[0].item_id == item_id("code", "pool.jsonl", "pool:a#0")
    assert {c.payload["anchor"] for c in pool} == {""}  # linked to nothing
    assert [(r["record_key"], r["reason"]) for r in found.rejects] == [
        ("pool:a#0@line3", "duplicate_record"),
        ("pool:line:4", "invalid_record"),
    ]
    assert "repeats id 'a' of line 1" in found.rejects[0]["detail"]


def test_a_missing_pool_names_the_field(tmp_path):
    (tmp_path / "code.jsonl").write_text("")
    config = _config(tmp_path, {"pool": "absent.jsonl", "kind": "docstring"})
    with pytest.raises(FileNotFoundError, match="fix 'match.pool'"):
        discover(config)


def test_a_pool_outside_the_root_is_refused(tmp_path):
    with pytest.raises(SourcesError, match=r"source 'code', field 'match.pool'"):
        _config(tmp_path, {"pool": "../x.jsonl", "kind": "caption"})
    with pytest.raises(SourcesError, match=r"match.top_k"):
        _config(tmp_path, {"pool": "p.jsonl", "kind": "caption", "top_k": 0})


def test_an_empty_text_list_in_the_pool_is_one_rejected_text(tmp_path):
    from crosspair.probe import probe

    (tmp_path / "code.jsonl").write_text(json.dumps({"id": "f", "code": "def f(): pass"}) + "\n")
    (tmp_path / "pool.jsonl").write_text(json.dumps({"id": "a", "text": []}) + "\n")
    config = _config(tmp_path, {"pool": "pool.jsonl", "kind": "docstring", "id_field": "id"})
    pool = [c for c in discover(config).candidates if c.path == "pool.jsonl"]
    assert [c.record_key for c in pool] == ["pool:a#0"]
    assert probe(pool[0])[1]["reason"] == "empty_text"


def test_a_threshold_must_be_a_finite_number():
    with pytest.raises(SourcesError, match=r"match.threshold"):
        _config(Path("."), {"pool": "p.jsonl", "kind": "caption", "threshold": True})
    with pytest.raises(SourcesError, match=r"match.threshold.*finite"):
        _config(Path("."), {"pool": "p.jsonl", "kind": "caption", "threshold": float("nan")})


def test_an_id_that_clashes_with_a_line_number_name_says_so(tmp_path):
    """A pool line without an id is named ``line:N``; a real id ``line:N`` then repeats it."""
    records = [
        {"code": "def f(): pass", "doc": "F."},  # no id: named line:1
        {"id": "line:1", "code": "def g(): pass", "doc": "G."},
    ]
    (tmp_path / "code.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    lines = [json.dumps({"id": "line:2", "text": "Named."}), json.dumps({"text": "Nameless."})]
    (tmp_path / "pool.jsonl").write_text("\n".join(lines) + "\n")
    config = _config(tmp_path, {"pool": "pool.jsonl", "kind": "docstring", "id_field": "id"})

    found = discover(config)
    details = {(r["path"], r["reason"]): r["detail"] for r in found.rejects}
    assert details[("code.jsonl", "duplicate_record")] == (
        "code.jsonl line 2 repeats id 'line:1' of line 1 (line 1 has no id and is named after "
        "its line number); ids must be unique"
    )
    assert details[("pool.jsonl", "duplicate_record")] == (
        "pool.jsonl line 2 repeats id 'line:2' of line 1 (line 2 has no id and is named after "
        "its line number); ids must be unique"
    )

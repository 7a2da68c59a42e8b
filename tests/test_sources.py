"""The sources file refuses text no table can hold, blank licences and missing pools up front."""

from pathlib import Path

import pytest

from crosspair.sources import SourcesError, load_sources, parse_sources

PHOTOS = {
    "name": "photos",
    "modality": "image",
    "root": ".",
    "files": ["*.jpg"],
    "licence": "CC0-1.0",
    "origin": "test",
}


def _problem(source: dict) -> str:
    with pytest.raises(SourcesError) as err:
        parse_sources({"sources": [source]}, base_dir=Path("."))
    lines = str(err.value).splitlines()
    assert len(lines) == 3  # the file, one problem, the way out
    return lines[1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"licence": "CC-BY \ud800"}, "licence"),
        ({"files": ["a\udcff.jpg"]}, "files"),
        (
            {
                "manifest": {
                    "path": "c.jsonl",
                    "kind": "caption",
                    "media_field": "f\ud800",
                    "text_field": "t",
                }
            },
            "manifest.media_field",
        ),
        ({"match": {"pool": "pool\ud800.jsonl", "kind": "caption"}}, "match"),
    ],
)
def test_a_lone_surrogate_escape_is_refused_where_it_stands(change, field):
    problem = _problem({**PHOTOS, **change})
    assert problem == (
        f"  - source 'photos', field '{field}': Value error, holds a lone surrogate escape "
        "such as \\ud800; remove it"
    )


@pytest.mark.parametrize("field", ["licence", "origin"])
def test_a_blank_licence_or_origin_is_refused(field):
    problem = _problem({**PHOTOS, field: "  "})
    assert problem.startswith(f"  - source 'photos', field '{field}': Value error, is empty;")


def test_a_missing_match_pool_is_named_before_any_build(tmp_path):
    (tmp_path / "pool").mkdir()  # a folder where the pool file should be
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - {name: photos, modality: image, root: ., files: ['*.jpg'], licence: CC0,\n"
        "     origin: test, match: {pool: pool, kind: caption}}\n",
        encoding="utf-8",
    )
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert str(err.value) == (
        f"{path}: source 'photos', field 'match.pool': {tmp_path / 'pool'} is not a file; "
        "write the pool's JSONL there or fix the path"
    )

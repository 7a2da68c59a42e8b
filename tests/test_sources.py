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


@pytest.mark.parametrize(
    ("change", "field"),
    [({"licence": "CC0\x00hidden"}, "licence"), ({"root": "raw\x00"}, "root")],
)
def test_a_control_character_is_refused_where_it_stands(change, field):
    problem = _problem({**PHOTOS, **change})
    assert problem == (
        f"  - source 'photos', field '{field}': Value error, holds a control character such as "
        "NUL (\\0); remove it"
    )


def test_invisible_text_is_blank_and_invisible_glob_characters_are_refused():
    assert ", is empty;" in _problem({**PHOTOS, "licence": "\u200b\u2060"})
    problem = _problem({**PHOTOS, "files": ["im*.png\u200b"]})
    assert problem.startswith("  - source 'photos', field 'files': Value error, glob ")
    assert problem.endswith("holds invisible characters (zero-width, bidi marks); type it again")


def test_a_source_name_is_at_most_64_characters():
    problem = _problem({**PHOTOS, "name": "a" * 300})
    assert problem.endswith("is 300 characters long; use at most 64")


def test_a_root_the_file_system_cannot_hold_names_the_field(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        f"  - {{name: photos, modality: image, root: {'r' * 300}, files: ['*.jpg'],\n"
        "     licence: CC0, origin: test}\n",
        encoding="utf-8",
    )
    with pytest.raises(SourcesError) as err:
        load_sources(path)
    assert str(err.value) == f"{path}: source 'photos', field 'root': File name too long"


def test_a_sensor_stream_glob_must_stay_inside_the_root():
    sensor = {
        **PHOTOS,
        "modality": "sensor",
        "sensor": {
            "time_column": "t",
            "clock": "boot_s",
            "streams": {"../gps.csv": {"time_column": "ts", "clock": "boot_us"}},
        },
    }
    assert _problem(sensor).endswith(
        "glob '../gps.csv' must name files inside the root (e.g. 'gps*.csv')"
    )

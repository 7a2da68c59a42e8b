"""The demo built through Dagster: MiniLM pairs its docstring pool, and the simulated human
review removes the wrong model pair and confirms two others as human pairs."""

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest
from dagster import DagsterInstance

from crosspair.demo import generate_demo
from crosspair.synth.sensors import Drive
from dagster_project.build import failed_checks, materialise_all

pytestmark = pytest.mark.slow

ANNOTATORS = ";".join(f"simulated-annotator-{n}@demo.crosspair.example" for n in (1, 2, 3))
MODEL = "model:minilm"
# (code record, pool text) found by MiniLM; doc-2 documents calendar.monthrange, not in the demo
MODEL_PAIRS = {
    ("stdlib/zipfile.is_zipfile", "pool:doc-1#0"),
    ("stdlib/calendar.isleap", "pool:doc-2#0"),
    ("stdlib/colorsys.rgb_to_hls", "pool:doc-3#0"),
    ("stdlib/difflib.get_close_matches", "pool:doc-4#0"),
    ("stdlib/glob.escape", "pool:doc-5#0"),
    ("stdlib/heapq.nlargest", "pool:doc-6#0"),
}
REJECTED = ("stdlib/calendar.isleap", "pool:doc-2#0")
CONFIRMED = {  # pair -> the method the human pair overrides
    ("stdlib/difflib.get_close_matches", "pool:doc-4#0"): MODEL,
    ("stdlib/textwrap.dedent", "stdlib/textwrap.dedent#0"): "manifest_record",
}


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo_review")
    sources = generate_demo(root / "corpus")
    home = root / "dagster_home"
    home.mkdir()
    # the `annotations` setting ("annotations/") is relative to the working folder: build from
    # inside the demo folder, which holds annotations/
    with pytest.MonkeyPatch.context() as patch, DagsterInstance.local_temp(str(home)) as instance:
        patch.chdir(sources.parent)
        result = materialise_all(sources, root / "data", instance)
    data = root / "data"
    return result, lambda name: pd.read_parquet(data / "tables" / f"{name}.parquet"), data


@pytest.fixture(scope="module")
def keys(build) -> dict[str, str]:
    """Item id -> record key of every code and text item."""
    table = build[1]
    catalogs = pd.concat([table("code_catalog"), table("text_catalog")])
    return dict(zip(catalogs["item_id"], catalogs["record_key"], strict=True))


def _by_keys(frame: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
    named = frame.assign(left=frame["left_id"].map(keys), right=frame["right_id"].map(keys))
    return named.set_index(["left", "right"])


def test_build_passes_every_check_and_the_agreement_floor(build):
    result = build[0]
    assert result.success
    assert failed_checks(result) == []
    assert failed_checks(result, "WARN") == []
    floor = [e for e in result.get_asset_check_evaluations() if e.check_name == "agreement_floor"]
    assert len(floor) == 1 and floor[0].passed


def test_minilm_pairs_the_pool_docstrings(build, keys):
    model = _by_keys(build[1]("model_pairs"), keys)
    assert set(model.index) == MODEL_PAIRS
    assert set(model["method"]) == {MODEL}
    params = model["params"].map(json.loads)
    assert {p["model_name"] for p in params} == {"sentence-transformers/all-MiniLM-L6-v2"}
    assert model["score"].min() == model.loc[REJECTED, "score"] >= 0.2  # threshold 0.2


def test_agreement_of_three_simulated_annotators(build):
    agreement = build[1]("annotation_agreement").set_index("source")
    by_hand = np.array([[0, 1, 1, 0, 0], [0, 1, 1, 0, 0], [1, 1, 1, 0, 0]], dtype=float)
    alpha = krippendorff.alpha(reliability_data=by_hand, level_of_measurement="nominal")
    row = agreement.loc["demo_code"]
    assert (row["items"], row["annotators"], row["judgements"]) == (5, 3, 15)
    assert row["krippendorff_alpha"] == pytest.approx(alpha) == pytest.approx(0.75)
    assert build[1]("annotation_rejects").empty


def test_review_removes_the_wrong_model_pair_and_confirms_two(build, keys):
    table = build[1]
    removed = _by_keys(table("removed_pairs"), keys)
    assert set(removed.index) == {REJECTED, *CONFIRMED}
    rejected = removed.loc[REJECTED]
    assert rejected["method"] == MODEL
    assert rejected["reason"].startswith('human no_match: {"match": 1, "no_match": 2}')
    for pair, method in CONFIRMED.items():
        assert removed.loc[pair, "method"] == method
        assert removed.loc[pair, "reason"].startswith("replaced by human pair")

    pairs = _by_keys(table("pairs"), keys)
    assert REJECTED not in set(pairs.index)
    human = pairs[pairs["method"] == "human"]
    assert set(human.index) == set(CONFIRMED)
    for pair, method in CONFIRMED.items():
        params = json.loads(human.loc[pair, "params"])
        assert params["overrides"] == method
        assert params["votes"] == {"match": 3}
        assert params["annotator"] == ANNOTATORS
        assert human.loc[pair, "score"] == 1.0
    still_model = set(pairs[pairs["method"] == MODEL].index)
    assert still_model == MODEL_PAIRS - {REJECTED, *CONFIRMED}


def test_provenance_names_the_annotators_and_the_model(build, keys):
    provenance = _by_keys(build[1]("provenance"), keys)
    human = provenance[provenance["method"] == "human"]
    assert set(human.index) == set(CONFIRMED)
    assert set(human["annotator"]) == {ANNOTATORS}
    model = provenance[provenance["method"] == MODEL]
    assert set(model["model_name"]) == {"sentence-transformers/all-MiniLM-L6-v2"}
    assert set(model["annotator"]) == {""}


def test_every_demo_code_item_stays_paired(build):
    unpaired = build[1]("unpaired_items")
    assert unpaired[unpaired["source"] == "demo_code"].empty


def test_the_drive_is_paired_on_the_imu_clock_with_its_gap_and_utc_link(build):
    _, table, data = build
    drive = Drive()
    summary = table("sensor_pairing_summary").to_dict("records")
    assert len(summary) == 1
    row = summary[0]
    assert (row["source"], row["reference"], row["other"]) == ("demo_drive", "imu", "gps")
    assert (row["n_reference"], row["n_other"]) == (575, 60)  # the files' rows
    assert row["clock_offset_s"] == 0.0  # the GPS counts microseconds since the same boot
    assert row["max_abs_dt_s"] <= row["tolerance_s"]
    # the IMU's dropout from 3.0 s to 3.25 s after the start, seen from its 10 ms samples
    gaps = table("sensor_gaps").to_dict("records")
    assert [(g["stream"], round(g["start_s"] - drive.boot_s, 1)) for g in gaps] == [("imu", 3.0)]
    assert gaps[0]["gap_s"] == pytest.approx(0.26, abs=0.01)
    # the GPS rows carry UTC: the link is the simulation's boot time, to the microsecond
    links = table("clock_links").to_dict("records")
    assert [(k["stream"], k["used"]) for k in links] == [("gps", True)]
    assert links[0]["offset_ns"] == drive.utc_us_at_boot * 1000
    exported = pd.read_parquet(data / "exports" / "sensors" / "demo_drive.parquet")
    assert len(exported) == 575
    start_utc_s = (exported["utc_ns"].iloc[0] - exported["t_s"].iloc[0] * 1e9) / 1e9
    assert start_utc_s == pytest.approx(drive.utc_us_at_boot / 1e6, abs=1e-3)

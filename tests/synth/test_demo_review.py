"""The demo's match pool and simulated annotations: they name the demo's own items, MiniLM
pairs the pool as the demo says, and the annotators agree as much as stated (no build)."""

import json

import krippendorff
import numpy as np
import pandas as pd
import pytest

from crosspair.annotation import adjudicate, agreement_table, import_judgements
from crosspair.demo import generate_demo
from crosspair.discover import discover
from crosspair.semantic.matching import match_pool
from crosspair.semantic.scorer import load_scorer
from crosspair.semantic.scoring import ItemVectors
from crosspair.sources import load_sources

ANNOTATORS = [f"simulated-annotator-{n}@demo.crosspair.example" for n in (1, 2, 3)]
# pool text -> the function MiniLM pairs it with (doc-2 documents calendar.monthrange, absent)
EXPECTED_MODEL_PAIRS = {
    "pool:doc-1#0": "stdlib/zipfile.is_zipfile",
    "pool:doc-2#0": "stdlib/calendar.isleap",
    "pool:doc-3#0": "stdlib/colorsys.rgb_to_hls",
    "pool:doc-4#0": "stdlib/difflib.get_close_matches",
    "pool:doc-5#0": "stdlib/glob.escape",
    "pool:doc-6#0": "stdlib/heapq.nlargest",
}
# (code record, text record) -> labels of annotators 1, 2, 3, as the files are meant to hold
EXPECTED_VOTES = {
    ("stdlib/calendar.isleap", "pool:doc-2#0"): ["no_match", "no_match", "match"],
    ("stdlib/difflib.get_close_matches", "pool:doc-4#0"): ["match"] * 3,
    ("stdlib/textwrap.dedent", "stdlib/textwrap.dedent#0"): ["match"] * 3,
    ("stdlib/shlex.quote", "stdlib/html.escape#0"): ["no_match"] * 3,
    ("stdlib/html.escape", "stdlib/shlex.quote#0"): ["no_match"] * 3,
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    sources = generate_demo(tmp_path_factory.mktemp("demo_review") / "corpus")
    config = load_sources(sources)
    found = discover(config, only=["demo_code"])
    assert found.rejects == []
    candidates = pd.DataFrame(
        [
            {
                "item_id": c.item_id,
                "source": c.source,
                "modality": c.modality,
                "record_key": c.record_key,
                "content": c.payload.get("code", c.payload.get("text")),
            }
            for c in found.candidates
        ]
    )
    return sources.parent, config, candidates


def _keys(candidates: pd.DataFrame) -> dict[str, str]:
    return dict(zip(candidates["item_id"], candidates["record_key"], strict=True))


def _judgements(root, candidates):
    files = sorted((root / "annotations").iterdir())
    items = candidates.set_index("item_id")[["source", "modality"]]
    return files, import_judgements(files, items, base=root)


def test_pool_is_discovered_as_six_unlinked_texts(demo):
    _, config, candidates = demo
    assert config.by_name("demo_code").match.model == "minilm"
    counts = candidates.groupby("modality").size().to_dict()
    assert counts == {"code": 12, "text": 13}  # 7 docstrings by record + 6 pool texts
    pool = candidates[candidates["record_key"].str.startswith("pool:")]
    assert sorted(pool["record_key"]) == sorted(EXPECTED_MODEL_PAIRS)


def test_minilm_pairs_each_pool_docstring_with_its_function(demo):
    _, config, candidates = demo
    keys = _keys(candidates)
    code = candidates[candidates["modality"] == "code"]
    pool = candidates[candidates["record_key"].str.startswith("pool:")]
    texts = dict(zip(candidates["item_id"], candidates["content"], strict=True))
    vectors = ItemVectors(load_scorer("minilm"), texts=texts)

    found, report = match_pool(
        config.by_name("demo_code").match, pool, code, pd.DataFrame(), vectors
    )

    pairs = zip(found["right_id"].map(keys), found["left_id"].map(keys), strict=True)
    assert dict(pairs) == EXPECTED_MODEL_PAIRS
    assert set(found["method"]) == {"model:minilm"}
    scores = dict(zip(found["right_id"].map(keys), found["score"], strict=True))
    orphan = scores.pop("pool:doc-2#0")
    assert 0.2 <= orphan < min(scores.values())  # above the threshold, below every right pair
    assert (report.pool_texts, report.candidates, report.pairs) == (6, 12, 6)


def test_annotation_files_name_demo_items_and_say_they_are_simulated(demo):
    root, _, candidates = demo
    files, result = _judgements(root, candidates)
    assert [f.name for f in files] == ["simulated.csv", "simulated_label_studio.json"]
    assert result.rejects.empty
    keys = _keys(candidates)
    votes = {}
    for row in result.judgements.sort_values("annotator").itertuples():
        votes.setdefault((keys[row.left_id], keys[row.right_id]), []).append(row.label)
    assert votes == EXPECTED_VOTES
    assert sorted(result.judgements["annotator"].unique()) == ANNOTATORS

    export = json.loads((root / "annotations" / "simulated_label_studio.json").read_text())
    assert all(task["meta"]["simulated"] for task in export)
    csv_notes = pd.read_csv(root / "annotations" / "simulated.csv")["note"]
    assert csv_notes.str.startswith("simulated").all()


def test_agreement_and_majority_decisions(demo):
    root, _, candidates = demo
    _, result = _judgements(root, candidates)

    agreement = agreement_table(result.judgements)
    # the same votes by hand: rows are annotators, columns judged pairs, 1 = match
    by_hand = np.array([[0, 1, 1, 0, 0], [0, 1, 1, 0, 0], [1, 1, 1, 0, 0]], dtype=float)
    alpha = krippendorff.alpha(reliability_data=by_hand, level_of_measurement="nominal")
    assert alpha == pytest.approx(0.75)
    assert agreement["krippendorff_alpha"].tolist() == pytest.approx([alpha, alpha])

    decisions = adjudicate(result.judgements, min_annotators=2)
    keys = _keys(candidates)
    decided = {
        (keys[row.left_id], keys[row.right_id]): (row.decision, row.share)
        for row in decisions.itertuples()
    }
    assert decided == {
        ("stdlib/calendar.isleap", "pool:doc-2#0"): ("no_match", pytest.approx(2 / 3)),
        ("stdlib/difflib.get_close_matches", "pool:doc-4#0"): ("match", 1.0),
        ("stdlib/textwrap.dedent", "stdlib/textwrap.dedent#0"): ("match", 1.0),
        ("stdlib/shlex.quote", "stdlib/html.escape#0"): ("no_match", 1.0),
        ("stdlib/html.escape", "stdlib/shlex.quote#0"): ("no_match", 1.0),
    }

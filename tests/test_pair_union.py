import json

import pandas as pd

from crosspair.ids import pair_id
from crosspair.pair_union import method_rank, union_pairs
from crosspair.schemas import PAIRS


def _pair(left: str, right: str, method: str, score: float = float("nan")) -> dict:
    return {
        "pair_id": pair_id(left, right, method),
        "group_id": left,
        "source": "web",
        "left_id": left,
        "left_modality": "image",
        "right_id": right,
        "right_modality": "text",
        "method": method,
        "score": score,
        "params": json.dumps({"k": 1}),
    }


def test_methods_rank_people_then_structure_then_models_then_rules():
    ranks = [
        method_rank(m) for m in ("human", "manifest_reference", "model:minilm", "weak_supervision")
    ]
    assert ranks == [0, 1, 2, 3]


def test_same_items_keep_the_strongest_method_and_name_the_others():
    heuristic = pd.DataFrame([_pair("a" * 16, "b" * 16, "manifest_reference")])
    weak = pd.DataFrame(
        [
            _pair("a" * 16, "b" * 16, "weak_supervision", 0.9),
            _pair("a" * 16, "c" * 16, "weak_supervision", 0.7),
        ]
    )
    model = pd.DataFrame([_pair("a" * 16, "b" * 16, "model:minilm", 0.8)])
    table = PAIRS.validate(union_pairs([weak, model, heuristic]))
    assert sorted(zip(table["right_id"], table["method"], strict=True)) == [
        ("b" * 16, "manifest_reference"),
        ("c" * 16, "weak_supervision"),
    ]
    kept = table.set_index("right_id")
    assert json.loads(kept.loc["b" * 16, "params"]) == {
        "k": 1,
        "also_by": ["model:minilm", "weak_supervision"],
    }
    assert json.loads(kept.loc["c" * 16, "params"]) == {"k": 1}
    assert kept.loc["c" * 16, "score"] == 0.7


def test_no_tables_give_an_empty_pair_table():
    table = union_pairs([pd.DataFrame(columns=list(PAIRS.columns))])
    assert table.empty and list(table.columns) == list(PAIRS.columns)

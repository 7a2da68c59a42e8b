"""Pairs → Label Studio tasks → (people annotate) → export → the same pairs as judgements."""

import json
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from crosspair.annotation import import_judgements, label_studio_tasks, labeling_config, write_tasks
from crosspair.pairing import pairs_frame
from tests.annotation.conftest import COCO, CODE, ls_annotation, ls_task, pair_row, write_json


def _candidates(corpus) -> pd.DataFrame:
    return pairs_frame(
        [
            pair_row(corpus.images[0], corpus.captions[0], "manifest_reference", COCO, "image"),
            pair_row(
                corpus.images[0], corpus.captions[1], "model:minilm", COCO, "image", score=0.31
            ),
            pair_row(corpus.code[1], corpus.docstrings[1], "manifest_record", CODE, "code"),
        ]
    )


def test_tasks_carry_the_ids_and_what_to_show(corpus):
    pairs = _candidates(corpus)
    tasks = label_studio_tasks(pairs, corpus.items, media_prefix="/data/local-files/?d=coco/")
    by_pair = {task["data"]["pair_id"]: task["data"] for task in tasks}
    assert list(by_pair) == list(pairs["pair_id"])

    model_pair = pairs[pairs["method"] == "model:minilm"].iloc[0]
    assert by_pair[model_pair["pair_id"]] == {
        "pair_id": model_pair["pair_id"],
        "left_id": corpus.images[0],
        "right_id": corpus.captions[1],
        "source": COCO,
        "method": "model:minilm",
        "score": 0.31,
        "left_modality": "image",
        "right_modality": "text",
        "left": "/data/local-files/?d=coco/images/000000062554.jpg",
        "right": "Two dogs play with a red frisbee in the park.",
    }
    code_pair = pairs[pairs["source"] == CODE].iloc[0]
    code_task = by_pair[code_pair["pair_id"]]
    assert code_task["score"] is None  # a heuristic pair has no score
    assert code_task["left"] == "def os.path.join(x):\n    return x\n"


def test_an_item_missing_from_the_catalogs_is_an_error_naming_the_pair(corpus):
    pairs = _candidates(corpus)
    pairs.loc[0, "right_id"] = "0000000000000000"
    with pytest.raises(KeyError, match="item 0000000000000000 is in no catalog"):
        label_studio_tasks(pairs, corpus.items)


def test_the_labeling_config_shows_both_sides_and_one_choice():
    config = ET.fromstring(labeling_config("image", "text"))
    assert [(e.tag, e.get("name"), e.get("value")) for e in config if e.tag != "Choices"] == [
        ("Image", "left", "$left"),
        ("Text", "right", "$right"),
    ]
    choices = config.find("Choices")
    assert choices.get("name") == "label" and choices.get("choice") == "single"
    assert [c.get("value") for c in choices] == ["match", "no_match"]


def test_exported_tasks_come_back_as_judgements_of_the_same_pairs(corpus, tmp_path):
    pairs = _candidates(corpus)
    written = write_tasks(tmp_path / "to_annotate.json", label_studio_tasks(pairs, corpus.items))

    # Label Studio imports the tasks, people label them, the project is exported:
    # ids assigned, every task data field kept as written, annotations added.
    imported = json.loads(written.read_text(encoding="utf-8"))
    labels = {0: ["match", "match"], 1: ["no_match", "match"], 2: ["match", "no_match"]}
    export = [
        ls_task(
            number + 10,
            task["data"],
            [
                ls_annotation(100 + 2 * number + k, user, [label], task=number + 10)
                for k, (user, label) in enumerate(zip((1, 2), labels[number], strict=True))
            ],
        )
        for number, task in enumerate(imported)
    ]
    path = write_json(tmp_path / "export.json", export)
    result = import_judgements([path], corpus.items, pairs, base=tmp_path)

    assert result.rejects.empty
    got = result.judgements[["left_id", "right_id", "annotator", "label", "task_id"]]
    expected = pd.DataFrame(
        [
            {
                "left_id": pair["left_id"],
                "right_id": pair["right_id"],
                "annotator": str(user),
                "label": labels[number][k],
                "task_id": str(number + 10),
            }
            for number, pair in enumerate(pairs.to_dict("records"))
            for k, user in enumerate((1, 2))
        ]
    )
    key = ["left_id", "right_id", "annotator"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
    )
    # sources and modalities come from the catalogs, not from the task
    merged = result.judgements.merge(pairs, on=["left_id", "right_id"], suffixes=("", "_pair"))
    assert (merged["source"] == merged["source_pair"]).all()
    assert (merged["left_modality"] == merged["left_modality_pair"]).all()

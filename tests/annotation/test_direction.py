"""Judged pairs turned to the pair table's direction; self-pairs and unpairable ones rejected."""

import json

import pandas as pd

from crosspair.annotation import adjudicate, apply_human_overrides, human_pairs, import_judgements
from crosspair.annotation.direction import orient
from crosspair.ids import pair_id
from crosspair.pairing import pairs_frame
from tests.annotation.conftest import COCO, CODE, ls_annotation, ls_task, pair_row, write_json

HEADER = "annotator,item,candidate,label\n"
WHY = "crosspair pairs media or code with text, and a video with its audio"


def _csv(tmp_path, lines: list[str], name: str = "b.csv", header: str = HEADER):
    path = tmp_path / name
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_judgement_naming_a_pair_right_to_left_overrides_that_pair(corpus, tmp_path):
    image, caption = corpus.images[0], corpus.captions[0]
    weak = pair_row(image, caption, "weak_label", COCO, "image")
    pairs = pairs_frame([weak])
    path = _csv(tmp_path, [f"alice,{caption},{image},match", f"bob,{caption},{image},match"])

    result = import_judgements([path], corpus.items, pairs, base=tmp_path)

    assert result.rejects.empty
    got = result.judgements[["annotator", "left_id", "left_modality", "right_id", "task_id"]]
    assert got.to_dict("records") == [
        {
            "annotator": who,
            "left_id": image,
            "left_modality": "image",
            "right_id": caption,
            "task_id": line,
        }
        for who, line in (("alice", "line 2"), ("bob", "line 3"))
    ]
    # the human pair replaces the weak pair: one pair of the two items, image on the left
    reviewed, removed = apply_human_overrides(pairs, adjudicate(result.judgements))
    assert reviewed[["pair_id", "left_id", "right_id", "method"]].to_dict("records") == [
        {
            "pair_id": pair_id(image, caption, "human"),
            "left_id": image,
            "right_id": caption,
            "method": "human",
        }
    ]
    assert json.loads(reviewed.at[0, "params"])["overrides"] == "weak_label"
    assert list(removed["pair_id"]) == [weak["pair_id"]]


def test_self_pairs_and_unpairable_modalities_are_rejects_naming_file_and_line(corpus, tmp_path):
    img, cap, doc = corpus.images, corpus.captions, corpus.docstrings
    path = _csv(
        tmp_path,
        [
            f"alice,{img[1]},{img[1]},match",
            f"bob,{img[1]},{img[1]},match",
            f"alice,{img[0]},{img[2]},match",
            f"alice,{cap[0]},{cap[1]},no_match",
            f"alice,{doc[0]},{img[0]},match",
        ],
        name="round3.csv",
    )
    result = import_judgements([path], corpus.items, base=tmp_path)

    assert result.judgements.empty
    self_detail = f"item {img[1]} is judged against itself; a pair has two items"
    got = result.rejects[["source_file", "annotator", "reason", "detail"]].to_dict("records")
    assert got == [
        {
            "source_file": "round3.csv",
            "annotator": "alice",
            "reason": "self_pair",
            "detail": f"line 2: {self_detail}",
        },
        {
            "source_file": "round3.csv",
            "annotator": "bob",
            "reason": "self_pair",
            "detail": f"line 3: {self_detail}",
        },
        {
            "source_file": "round3.csv",
            "annotator": "alice",
            "reason": "unpairable_modalities",
            "detail": f"line 4: image {img[0]} ↔ image {img[2]}: {WHY}",
        },
        {
            "source_file": "round3.csv",
            "annotator": "alice",
            "reason": "unpairable_modalities",
            "detail": f"line 5: text {cap[0]} ↔ text {cap[1]}: {WHY}",
        },
        {
            "source_file": "round3.csv",
            "annotator": "alice",
            "reason": "cross_source",
            "detail": f"line 6: left item {img[0]} is in {COCO}, right item {doc[0]} in {CODE}; "
            "a new pair needs two items of one source",
        },
    ]
    # the reject keeps the ids as the file wrote them
    assert list(result.rejects["left_id"]) == [img[1], img[1], img[0], cap[0], doc[0]]


def test_a_new_match_puts_the_code_left_of_its_text(corpus, tmp_path):
    code, doc = corpus.code[1], corpus.docstrings[1]
    path = _csv(tmp_path, [f"alice,{doc},{code},match", f"bob,{code},{doc},match"])
    result = import_judgements([path], corpus.items, base=tmp_path)

    assert result.rejects.empty
    judged = result.judgements[["annotator", "left_id", "right_id"]].to_dict("records")
    assert judged == [
        {"annotator": "alice", "left_id": code, "right_id": doc},
        {"annotator": "bob", "left_id": code, "right_id": doc},
    ]
    # both annotators judged the same pair, whichever way round they wrote it
    human = human_pairs(adjudicate(result.judgements))
    assert human[["pair_id", "source", "left_modality", "right_modality", "score"]].to_dict(
        "records"
    ) == [
        {
            "pair_id": pair_id(code, doc, "human"),
            "source": CODE,
            "left_modality": "code",
            "right_modality": "text",
            "score": 1.0,
        }
    ]


def test_the_same_pair_judged_both_ways_keeps_the_later_judgement(corpus, tmp_path):
    image, caption = corpus.images[2], corpus.captions[3]
    path = _csv(
        tmp_path,
        [
            f"alice,{image},{caption},match,2024-05-01T10:00:00Z",
            f"alice,{caption},{image},no_match,2024-05-02T10:00:00Z",
        ],
        header="annotator,item,candidate,label,created_at\n",
    )
    result = import_judgements([path], corpus.items, base=tmp_path)

    assert result.judgements[["left_id", "right_id", "label", "task_id"]].to_dict("records") == [
        {"left_id": image, "right_id": caption, "label": "no_match", "task_id": "line 3"}
    ]
    assert result.rejects[["task_id", "reason"]].to_dict("records") == [
        {"task_id": "line 2", "reason": "superseded"}
    ]


def test_label_studio_rejects_name_the_task_and_annotation(corpus, tmp_path):
    image = corpus.images[0]
    tasks = [ls_task(5, {"left_id": image, "right_id": image}, [ls_annotation(1, 7, ["match"])])]
    path = write_json(tmp_path / "project-3.json", tasks)
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.rejects[["source_file", "task_id", "reason", "detail"]].to_dict("records") == [
        {
            "source_file": "project-3.json",
            "task_id": "5",
            "reason": "self_pair",
            "detail": f"task #0 (id 5), annotation #0: item {image} is judged against itself; "
            "a pair has two items",
        }
    ]


def test_orient_puts_a_video_left_of_its_audio_and_keeps_the_pair_table_first():
    items = pd.DataFrame(
        {"source": ["clips"] * 4, "modality": ["video", "audio", "image", "audio"]},
        index=["v", "a", "i", "b"],
    )
    assert orient("a", "v", items, set()) == ("v", "a", "", "")
    assert orient("v", "a", items, set()) == ("v", "a", "", "")
    # image ↔ audio: no method makes it, but a pair already in the table is kept as it is
    assert orient("b", "i", items, set())[2] == "unpairable_modalities"
    assert orient("b", "i", items, {("i", "b")}) == ("i", "b", "", "")
    assert orient("a", "b", items, set())[2:] == (
        "unpairable_modalities",
        f"audio a ↔ audio b: {WHY}",
    )

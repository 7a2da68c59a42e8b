"""Label Studio JSON exports: judgements, cancelled and empty annotations, malformed files."""

import json
import re

import pandas as pd
import pytest

from crosspair.annotation import AnnotationFileError, import_judgements
from crosspair.annotation.label_studio import read_label_studio
from crosspair.schemas import JUDGEMENTS
from tests.annotation.conftest import COCO, ls_annotation, ls_task, pair_row, write_json

# A real export's shape, written out by hand: task 41 names its items, task 42 only its pair
# (crosspair's exporter writes both). User 7 is an older export's user object: its email names it.
EXPORT = """[
  {
    "id": 41,
    "annotations": [
      {
        "id": 101, "completed_by": 1,
        "result": [{"value": {"choices": ["match"]}, "id": "Xk1", "from_name": "label",
                    "to_name": "left", "type": "choices", "origin": "manual"}],
        "was_cancelled": false, "ground_truth": false,
        "created_at": "2024-05-02T09:15:00.123456Z", "updated_at": "2024-05-02T09:15:00.123456Z",
        "lead_time": 8.1, "prediction": {}, "result_count": 0, "task": 41, "project": 3,
        "parent_prediction": null, "parent_annotation": null
      },
      {
        "id": 102, "completed_by": {"id": 7, "email": "ana@example.org", "first_name": "Ana"},
        "result": [{"value": {"choices": ["No match"]}, "id": "Xk2", "from_name": "label",
                    "to_name": "left", "type": "choices", "origin": "manual"}],
        "was_cancelled": false, "ground_truth": false,
        "created_at": "2024-05-02T10:00:00Z", "updated_at": "2024-05-02T10:00:00Z",
        "lead_time": 5.0, "prediction": {}, "result_count": 0, "task": 41, "project": 3,
        "parent_prediction": null, "parent_annotation": null
      },
      {
        "id": 103, "completed_by": 3, "result": [], "was_cancelled": true,
        "ground_truth": false, "created_at": "2024-05-02T11:00:00Z",
        "updated_at": "2024-05-02T11:00:00Z", "lead_time": 1.2, "prediction": {},
        "result_count": 0, "task": 41, "project": 3,
        "parent_prediction": null, "parent_annotation": null
      }
    ],
    "file_upload": "8c1e2a4f-to_annotate.json", "drafts": [], "predictions": [],
    "data": {"pair_id": "PAIR41", "left_id": "LEFT41", "right_id": "RIGHT41",
             "left": "images/000000062554.jpg", "right": "A man riding a wave."},
    "meta": {}, "created_at": "2024-05-01T08:00:00.000000Z",
    "updated_at": "2024-05-02T11:00:00.000000Z", "inner_id": 1, "total_annotations": 2,
    "cancelled_annotations": 1, "total_predictions": 0, "comment_count": 0,
    "unresolved_comment_count": 0, "last_comment_updated_at": null, "project": 3,
    "updated_by": 3, "comment_authors": []
  },
  {
    "id": 42,
    "annotations": [
      {
        "id": 104, "completed_by": 1,
        "result": [{"value": {"choices": ["match"]}, "id": "Xk4", "from_name": "label",
                    "to_name": "left", "type": "choices", "origin": "manual"}],
        "was_cancelled": false, "ground_truth": false,
        "created_at": "2024-05-03T07:30:00Z", "updated_at": "2024-05-03T07:30:00Z",
        "lead_time": 3.3, "prediction": {}, "result_count": 0, "task": 42, "project": 3,
        "parent_prediction": null, "parent_annotation": null
      }
    ],
    "file_upload": "8c1e2a4f-to_annotate.json", "drafts": [], "predictions": [],
    "data": {"pair_id": "PAIR42"},
    "meta": {}, "created_at": "2024-05-01T08:00:00.000000Z",
    "updated_at": "2024-05-03T07:30:00.000000Z", "inner_id": 2, "total_annotations": 1,
    "cancelled_annotations": 0, "total_predictions": 0, "comment_count": 0,
    "unresolved_comment_count": 0, "last_comment_updated_at": null, "project": 3,
    "updated_by": 1, "comment_authors": []
  }
]
"""


def _export(corpus, tmp_path):
    image, first, third = corpus.images[0], corpus.captions[0], corpus.captions[2]
    pairs = pd.DataFrame(
        [pair_row(corpus.images[1], third, "manifest_reference", COCO, "image", kind="caption")]
    )
    text = (
        EXPORT.replace("LEFT41", image)
        .replace("RIGHT41", first)
        .replace("PAIR42", pairs.at[0, "pair_id"])
    )
    path = tmp_path / "annotations" / "project-3.json"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    return path, pairs


def test_a_real_export_gives_one_judgement_per_completed_annotation(corpus, tmp_path):
    path, pairs = _export(corpus, tmp_path)
    result = import_judgements([path], corpus.items, pairs, base=tmp_path)

    stamp = pd.Timestamp
    expected = pd.DataFrame(
        {
            "annotator": ["1", "ana@example.org", "1"],
            "source": [COCO] * 3,
            "left_id": [corpus.images[0], corpus.images[0], corpus.images[1]],
            "left_modality": ["image"] * 3,
            "right_id": [corpus.captions[0], corpus.captions[0], corpus.captions[2]],
            "right_modality": ["text"] * 3,
            "label": ["match", "no_match", "match"],
            "source_file": ["annotations/project-3.json"] * 3,
            "task_id": ["41", "41", "42"],
            "created_at": [
                stamp("2024-05-02T09:15:00.123456Z"),
                stamp("2024-05-02T10:00:00Z"),
                stamp("2024-05-03T07:30:00Z"),
            ],
        }
    )
    order = ["left_id", "annotator"]
    got = result.judgements.sort_values(order).reset_index(drop=True)
    expected = expected.sort_values(order).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    JUDGEMENTS.validate(result.judgements)

    # the cancelled annotation is not lost: it is a reject row with its reason
    assert result.rejects.to_dict("records") == [
        {
            "source_file": "annotations/project-3.json",
            "task_id": "41",
            "annotator": "3",
            "left_id": corpus.images[0],
            "right_id": corpus.captions[0],
            "pair_ref": "PAIR41",
            "label": "",
            "reason": "cancelled",
            "detail": "task #0 (id 41), annotation #2 was cancelled",
        }
    ]
    assert result.files == ["annotations/project-3.json"]


def test_annotations_without_exactly_one_choice_are_rejects(corpus, tmp_path):
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    tasks = [
        ls_task(
            1,
            data,
            [
                ls_annotation(1, 1, None),
                ls_annotation(2, 2, ["match", "no_match"]),
                ls_annotation(3, 3, ["Maybe"]),
                ls_annotation(4, 4, ["match"]),
            ],
        )
    ]
    path = write_json(tmp_path / "a.json", tasks)
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert list(result.judgements["annotator"]) == ["4"]
    reasons = result.rejects.set_index("annotator")["reason"].to_dict()
    assert reasons == {"1": "no_choice", "2": "several_choices", "3": "unknown_label"}
    assert result.rejects.set_index("annotator").at["3", "detail"] == (
        "'maybe' is not one of match, no_match"
    )


def test_unknown_items_and_pairs_are_rejects_not_dropped(corpus, tmp_path):
    missing = "0123456789abcdef"
    tasks = [
        ls_task(
            1,
            {"left_id": missing, "right_id": corpus.captions[0]},
            [ls_annotation(1, 1, ["match"])],
        ),
        ls_task(2, {"pair_id": "fedcba9876543210"}, [ls_annotation(2, 1, ["match"])]),
    ]
    path = write_json(tmp_path / "a.json", tasks)
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.judgements.empty
    rows = result.rejects[["task_id", "reason", "detail"]].to_dict("records")
    assert rows == [
        {"task_id": "1", "reason": "unknown_item", "detail": f"left item {missing} in no catalog"},
        {
            "task_id": "2",
            "reason": "unknown_pair",
            "detail": "pair fedcba9876543210 is in no pair table",
        },
    ]


def test_several_choice_controls_need_a_name(corpus, tmp_path):
    annotation = ls_annotation(1, 1, ["match"])
    annotation["result"].append(
        {**annotation["result"][0], "from_name": "quality", "value": {"choices": ["good"]}}
    )
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    path = write_json(tmp_path / "a.json", [ls_task(5, data, [annotation])])
    with pytest.raises(
        AnnotationFileError, match=r"task #0 \(id 5\), annotation #0: choices from several controls"
    ):
        read_label_studio(path)
    parsed = read_label_studio(path, choice_name="label")
    assert [j.label for j in parsed.judgements] == ["match"]


@pytest.mark.parametrize(
    "content, where, problem",
    [
        ('[{"id": 1, "data": {}', "line 1 column 22", "not valid JSON"),
        ('{"id": 1, "data": {}, "annotations": []}', "top level", "expected a list of tasks"),
        ('[{"id": 9, "annotations": []}]', r"task #0 \(id 9\)", "has no 'data' object"),
        (
            '[{"id": 9, "data": {"left_id": "a", "right_id": "b"}}]',
            r"task #0 \(id 9\)",
            "has no 'annotations' list",
        ),
        (
            '[{"id": 9, "data": {"image": "x.jpg"}, "annotations": []}]',
            r"task #0 \(id 9\)",
            "neither left_id and right_id nor pair_id",
        ),
        (
            '[{"id": 9, "data": {"pair_id": 17}, "annotations": []}]',
            r"task #0 \(id 9\)",
            "data.pair_id is 17, not a string",
        ),
        (
            '[{"id": 9, "data": {"pair_id": "p"}, "annotations": '
            '[{"result": [], "was_cancelled": false}]}]',
            r"task #0 \(id 9\), annotation #0",
            "has no completed_by",
        ),
        (
            '[{"id": 9, "data": {"pair_id": "p"}, "annotations": [{"completed_by": 1, "result": '
            '[{"type": "choices", "from_name": "label", "value": {"choices": "match"}}]}]}]',
            r"task #0 \(id 9\), annotation #0",
            "value.choices is 'match', not a list of labels",
        ),
        (
            '[{"id": 9, "data": {"pair_id": "p"}, "annotations": [{"completed_by": 1, "result": '
            '[{"type": "choices", "from_name": "label", "value": {"choices": ["match"]}}], '
            '"created_at": "yesterday"}]}]',
            r"task #0 \(id 9\), annotation #0",
            "created time 'yesterday' is not a date and time",
        ),
    ],
)
def test_malformed_exports_name_the_file_the_task_and_the_fix(tmp_path, content, where, problem):
    path = tmp_path / "broken.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(AnnotationFileError) as raised:
        read_label_studio(path)
    message = str(raised.value)
    assert message.startswith(str(path) + ": ")
    assert re.search(where, message)
    assert problem in message
    assert "Fix: " in message


def test_the_export_helpers_write_the_fields_of_the_hand_written_export(corpus, tmp_path):
    """Other tests build exports with conftest's helpers: they match the real shape above."""
    path, _ = _export(corpus, tmp_path)
    tasks = json.loads(path.read_text())
    assert {key for key in tasks[0]} == set(ls_task(1, {}, []))
    assert set(tasks[0]["annotations"][0]) <= set(ls_annotation(1, 1, ["match"]))


def test_one_user_is_one_annotator_whichever_form_completed_by_takes(corpus, tmp_path):
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    user_object = {"id": 7, "email": "ana@example.org", "first_name": "Ana"}
    tasks = [
        ls_task(1, data, [ls_annotation(1, user_object, ["match"], "2024-05-02T09:00:00Z")]),
        ls_task(2, data, [ls_annotation(2, 7, ["no_match"], "2024-05-03T09:00:00Z")]),
        # an object without an id is named by its email
        ls_task(3, data, [ls_annotation(3, {"email": "li@example.org"}, ["match"])]),
    ]
    path = write_json(tmp_path / "a.json", tasks)
    result = import_judgements([path], corpus.items, base=tmp_path)
    kept = result.judgements[["annotator", "label", "task_id"]].to_dict("records")
    # the bare id 7 takes the email the same export gives user 7
    assert kept == [
        {"annotator": "ana@example.org", "label": "no_match", "task_id": "2"},
        {"annotator": "li@example.org", "label": "match", "task_id": "3"},
    ]
    # user 7's first judgement, written with the user object, is the same annotator's older one
    assert result.rejects[["annotator", "task_id", "reason", "detail"]].to_dict("records") == [
        {
            "annotator": "ana@example.org",
            "task_id": "1",
            "reason": "superseded",
            "detail": "a later judgement of the same pair by ana@example.org: a.json, task 2",
        }
    ]


def test_spaces_and_float_ids_do_not_make_a_second_annotator(corpus, tmp_path):
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    tasks = [
        ls_task(1, data, [ls_annotation(1, " bo@example.org", ["match"], "2024-05-02T09:00:00Z")]),
        ls_task(
            2, data, [ls_annotation(2, "bo@example.org ", ["no_match"], "2024-05-03T09:00:00Z")]
        ),
        ls_task(3, data, [ls_annotation(3, 4.0, ["match"], "2024-05-02T09:00:00Z")]),
        ls_task(4, data, [ls_annotation(4, 4, ["no_match"], "2024-05-03T09:00:00Z")]),
    ]
    result = import_judgements([write_json(tmp_path / "a.json", tasks)], corpus.items)
    assert sorted(result.judgements[["annotator", "task_id"]].values.tolist()) == [
        ["4", "4"],
        ["bo@example.org", "2"],
    ]
    assert result.rejects["reason"].tolist() == ["superseded", "superseded"]


def test_a_completed_by_list_is_a_reject(corpus, tmp_path):
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    tasks = [ls_task(1, data, [ls_annotation(1, [1], ["match"])])]
    result = import_judgements([write_json(tmp_path / "a.json", tasks)], corpus.items)
    assert result.judgements.empty
    assert (
        "completed_by is [1], not a user id, email or user object" in result.rejects.at[0, "detail"]
    )


def test_a_pair_id_naming_other_items_than_the_task_is_a_reject(corpus, tmp_path):
    pairs = pd.DataFrame(
        [pair_row(corpus.images[1], corpus.captions[2], "manifest_reference", COCO, "image")]
    )
    pair = pairs.at[0, "pair_id"]
    tasks = [
        ls_task(
            1,
            {"pair_id": pair, "left_id": corpus.images[0], "right_id": corpus.captions[0]},
            [ls_annotation(1, 1, ["match"])],
        ),
        # the pair's own items, named right to left, agree with its id
        ls_task(
            2,
            {"pair_id": pair, "left_id": corpus.captions[2], "right_id": corpus.images[1]},
            [ls_annotation(2, 1, ["match"])],
        ),
    ]
    path = write_json(tmp_path / "a.json", tasks)
    result = import_judgements([path], corpus.items, pairs, base=tmp_path)
    kept = result.judgements[["task_id", "left_id", "right_id"]].to_dict("records")
    assert kept == [{"task_id": "2", "left_id": corpus.images[1], "right_id": corpus.captions[2]}]
    assert result.rejects[["task_id", "left_id", "pair_ref", "reason", "detail"]].to_dict(
        "records"
    ) == [
        {
            "task_id": "1",
            "left_id": corpus.images[0],
            "pair_ref": pair,
            "reason": "conflicting_ids",
            "detail": f"task #0 (id 1), annotation #0: pair_id {pair} is the pair of "
            f"{corpus.images[1]} and {corpus.captions[2]}, not of {corpus.images[0]} and "
            f"{corpus.captions[0]}; correct the task's data",
        }
    ]


@pytest.mark.parametrize(
    "content, field",
    [
        (
            '[{"id":1,"data":{"left_id":"I","right_id":"A"},"annotations":[{"completed_by":'
            '"ann\\ud800","result":[{"type":"choices","from_name":"m","value":{"choices":'
            '["match"]}}]}]}]',
            "annotations[0].completed_by",
        ),
        (
            '[{"id":1,"data":{"left_id":"x\\ud800","right_id":"A"},"annotations":[{"completed_by"'
            ':1,"result":[{"type":"choices","from_name":"m","value":{"choices":["match"]}}]}]}]',
            "data.left_id",
        ),
        ('[{"id":1,"data":{"\\udfff":"A"},"annotations":[]}]', "a key of data"),
    ],
)
def test_a_lone_surrogate_escape_is_a_reject_naming_the_file_and_field(
    corpus, tmp_path, content, field
):
    path = tmp_path / "annotations" / "odd.json"
    path.parent.mkdir()
    path.write_text(content, encoding="utf-8")
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.judgements.empty
    assert result.rejects[["source_file", "annotator", "reason", "detail"]].to_dict("records") == [
        {
            "source_file": "annotations/odd.json",
            "annotator": "",
            "reason": "unreadable_file",
            "detail": f"task #0, {field}: holds a lone surrogate escape (e.g. \\ud800), which is "
            "not text; no judgement of the file is used. Fix: write the character itself or a "
            "complete surrogate pair, or export the project again",
        }
    ]
    # the tables can be written as UTF-8 (the surrogate used to fail only at that point)
    assert result.rejects.to_csv(index=False).encode("utf-8")


def test_escapes_that_make_text_are_read(corpus, tmp_path):
    """A complete surrogate pair and other escapes are characters like any other."""
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    path = write_json(tmp_path / "a.json", [ls_task(1, data, [ls_annotation(1, "x", ["match"])])])
    path.write_text(path.read_text().replace('"x"', '"Jos\\u00e9 \\ud83d\\ude00"'))
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert list(result.judgements["annotator"]) == ["José 😀"]
    assert result.rejects.empty


@pytest.mark.parametrize(
    "created_at, shown",
    [(1714608000, "1714608000, a number"), (1714608000.5, "1714608000.5, a number")]
    + [(True, "True, a bool"), ([2024, 5, 2], "[2024, 5, 2], a list")],
)
def test_a_created_at_that_is_not_a_string_is_a_reject_naming_the_task(
    corpus, tmp_path, created_at, shown
):
    """pandas would read 1714608000 as nanoseconds (1970) and keep the wrong judgement."""
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    later = ls_annotation(2, 1, ["Match"], created_at="2024-05-01T00:00:00Z")
    later["created_at"] = created_at
    annotations = [ls_annotation(1, 1, ["No match"], created_at="2024-05-01T00:00:00Z"), later]
    path = write_json(tmp_path / "annotations" / "epoch.json", [ls_task(5, data, annotations)])
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.judgements.empty
    assert result.rejects[["source_file", "reason", "detail"]].to_dict("records") == [
        {
            "source_file": "annotations/epoch.json",
            "reason": "unreadable_file",
            "detail": f"task #0 (id 5), annotation #1: created_at is {shown}, not a date and "
            "time string; no judgement of the file is used. Fix: write it as an ISO 8601 "
            'string, e.g. "2024-05-01T10:00:00Z", or leave it empty',
        }
    ]


def test_a_null_created_at_is_no_time(corpus, tmp_path):
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    annotation = ls_annotation(1, 1, ["Match"])
    annotation["created_at"] = None
    path = write_json(tmp_path / "null.json", [ls_task(5, data, [annotation])])
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.judgements["created_at"].isna().tolist() == [True] and result.rejects.empty


@pytest.mark.parametrize("created_at", ["now", " Today "])
def test_a_relative_created_at_is_a_reject(corpus, tmp_path, created_at):
    """pandas reads "now" as the time of the import: the order would change with each run."""
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    annotation = ls_annotation(1, 1, ["Match"], created_at=created_at)
    path = write_json(tmp_path / "annotations" / "now.json", [ls_task(5, data, [annotation])])
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.judgements.empty
    assert result.rejects["detail"].tolist() == [
        f"task #0 (id 5), annotation #0: created time {created_at!r} is relative to when the "
        "import runs; no judgement of the file is used. Fix: write when the judgement was "
        "made, in ISO 8601, e.g. 2024-05-01T10:00:00Z"
    ]

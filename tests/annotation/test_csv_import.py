"""CSV judgements (annotator,item,candidate,label), repeated judgements, malformed files."""

import re

import pandas as pd
import pytest

from crosspair.annotation import AnnotationFileError, find_annotation_files, import_judgements
from crosspair.annotation.csv_import import read_csv_judgements
from crosspair.annotation.judgements import read_annotation_file
from tests.annotation.conftest import COCO, CODE


def _write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_rows_become_judgements_and_later_ones_supersede(corpus, tmp_path):
    image, caption, code, doc = (
        corpus.images[0],
        corpus.captions[0],
        corpus.code[0],
        corpus.docstrings[0],
    )
    text = (
        "annotator,item,candidate,label,created_at,notes\n"
        f"maria,{image},{caption},Match,2024-05-02T10:00:00Z,first look\n"
        f"li,{image},{caption},No match,,\n"
        f"maria,{code},{doc},no-match,2024-05-02 12:00:00,\n"
        f"maria,{image},{caption},no_match,2024-05-03T08:00:00+02:00,changed my mind\n"
    )
    path = _write(tmp_path / "batches" / "batch1.csv", text)
    result = import_judgements([path], corpus.items, base=tmp_path)

    expected = pd.DataFrame(
        {
            "annotator": ["maria", "li", "maria"],
            "source": [COCO, COCO, CODE],
            "left_id": [image, image, code],
            "left_modality": ["image", "image", "code"],
            "right_id": [caption, caption, doc],
            "right_modality": ["text", "text", "text"],
            "label": ["no_match", "no_match", "no_match"],
            "source_file": ["batches/batch1.csv"] * 3,
            "task_id": ["line 5", "line 3", "line 4"],
            "created_at": pd.to_datetime(
                ["2024-05-03T06:00:00Z", None, "2024-05-02T12:00:00Z"], utc=True
            ),
        }
    )
    order = ["source", "annotator"]
    got = result.judgements.sort_values(order).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected.sort_values(order).reset_index(drop=True))

    assert result.rejects[["annotator", "task_id", "label", "reason", "detail"]].to_dict(
        "records"
    ) == [
        {
            "annotator": "maria",
            "task_id": "line 2",
            "label": "match",
            "reason": "superseded",
            "detail": "a later judgement of the same pair by maria: "
            "batches/batch1.csv, task line 5",
        }
    ]


def test_csv_unknown_items_are_reject_rows(corpus, tmp_path):
    path = _write(
        tmp_path / "b.csv",
        f"annotator,item,candidate,label,task_id\nli,{corpus.images[0]},not-an-id,match,T7\n",
    )
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.judgements.empty
    assert result.rejects[["task_id", "reason", "detail"]].to_dict("records") == [
        {"task_id": "T7", "reason": "unknown_item", "detail": "right item not-an-id in no catalog"}
    ]


@pytest.mark.parametrize(
    "content, where, problem",
    [
        ("annotator,item,label\nli,a,match\n", "line 1 (header)", "missing column(s) candidate"),
        ("", "line 1 (header)", "missing column(s) annotator, item, candidate, label"),
        (
            "annotator,item,candidate,label\nli,a,b,match\n,a,b,match\n",
            "line 3",
            "empty annotator",
        ),
        ("annotator,item,candidate,label\nli,a,b,match,extra\n", "line 2", "1 cell(s) beyond"),
        (
            "annotator,item,candidate,label,created_at\nli,a,b,match,soon\n",
            "line 2",
            "created time 'soon' is not a date and time",
        ),
        # a quote never closed would swallow the rest of the file into one cell
        ('annotator,item,candidate,label\nli,a,"b,match\nli,c,d,match\n', "CSV structure", "end"),
    ],
)
def test_malformed_csv_names_the_file_the_line_and_the_fix(tmp_path, content, where, problem):
    path = _write(tmp_path / "broken.csv", content)
    with pytest.raises(AnnotationFileError) as raised:
        read_csv_judgements(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: {where}: ")
    assert problem in message and "Fix: " in message


def test_a_csv_that_is_not_utf8_and_an_unknown_suffix_are_errors(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("annotator,item,candidate,label\nJosé,a,b,match\n".encode("latin-1"))
    with pytest.raises(AnnotationFileError, match=re.escape("not UTF-8 text. Fix: save")):
        read_csv_judgements(latin)
    sheet = _write(tmp_path / "judgements.xlsx", "")
    with pytest.raises(AnnotationFileError, match="unknown kind of file '.xlsx'"):
        read_annotation_file(sheet)


def test_annotation_files_from_a_folder_a_glob_or_nowhere(tmp_path):
    assert find_annotation_files("annotations/", tmp_path) == (
        [],
        "no judgements: annotations/ does not exist",
    )
    folder = tmp_path / "annotations"
    folder.mkdir()
    assert find_annotation_files("annotations/", tmp_path) == (
        [],
        "no judgements: no .json or .csv file in annotations/",
    )
    csv = _write(folder / "round2" / "b.csv", "x")
    export = _write(folder / "a.json", "[]")
    _write(folder / "README.md", "how we annotate")
    assert find_annotation_files("annotations", tmp_path) == (
        [export, csv],
        "2 file(s) in annotations",
    )
    assert find_annotation_files("annotations/**/*.csv", tmp_path) == (
        [csv],
        "1 file(s) match annotations/**/*.csv",
    )
    assert find_annotation_files("annotations/a.json", tmp_path) == (
        [export],
        "one file: annotations/a.json",
    )


def test_a_surrogate_encoded_in_a_csv_is_not_utf8(corpus, tmp_path):
    """CSV files decode strictly: the bytes of a lone surrogate are an error, never a value."""
    path = tmp_path / "odd.csv"
    path.write_bytes(
        b"annotator,item,candidate,label\nann\xed\xa0\x80,"
        + f"{corpus.images[0]},{corpus.captions[0]},match\n".encode()
    )
    result = import_judgements([path], corpus.items, base=tmp_path)
    assert result.judgements.empty
    assert result.rejects[["source_file", "reason", "detail"]].to_dict("records") == [
        {
            "source_file": "odd.csv",
            "reason": "unreadable_file",
            "detail": "byte 34: not UTF-8 text; no judgement of the file is used. "
            "Fix: save the file as UTF-8 CSV",
        }
    ]


def test_a_label_set_written_as_annotators_see_it_is_read_like_the_files(corpus, tmp_path, caplog):
    image, caption = corpus.images[0], corpus.captions[0]
    text = (
        "annotator,item,candidate,label\n"
        f"maria,{image},{caption},Match\n"
        f"li,{image},{caption},No match\n"
        f"ana,{image},{caption},maybe\n"
    )
    path = _write(tmp_path / "batch.csv", text)
    with caplog.at_level("WARNING", logger="crosspair.annotation.judgements"):
        result = import_judgements(
            [path], corpus.items, labels=["Match", " No-match", "no_match"], base=tmp_path
        )
    assert result.judgements[["annotator", "label"]].to_dict("records") == [
        {"annotator": "li", "label": "no_match"},
        {"annotator": "maria", "label": "match"},
    ]
    assert result.rejects[["annotator", "reason", "detail"]].to_dict("records") == [
        {
            "annotator": "ana",
            "reason": "unknown_label",
            "detail": "'maybe' is not one of match, no_match",
        }
    ]
    assert result.warnings == [] and caplog.records == []


def test_a_label_set_that_can_change_no_pair_is_a_warning(corpus, tmp_path, caplog):
    image, caption = corpus.images[0], corpus.captions[0]
    text = (
        f"annotator,item,candidate,label\nmaria,{image},{caption},Yes\nli,{image},{caption},yes\n"
    )
    path = _write(tmp_path / "batch.csv", text)
    with caplog.at_level("WARNING", logger="crosspair.annotation.judgements"):
        result = import_judgements([path], corpus.items, labels=["Yes", "No"], base=tmp_path)
    expected = (
        "the label set (setting annotation_labels) is no, yes: adjudication acts only on 'match' "
        "(adds or keeps a human pair) and 'no_match' (removes the pair), so no judgement will "
        "change a pair; include match and no_match"
    )
    assert result.warnings == [expected]
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("WARNING", expected)]
    assert list(result.judgements["label"]) == ["yes", "yes"]  # still imported and measured


@pytest.mark.parametrize(
    "header, repeated",
    [
        ("annotator,item,candidate,label,label", "label"),
        ("annotator,item,candidate,label,created_at, created_at,task_id,item", "item, created_at"),
    ],
)
def test_a_column_crosspair_reads_may_appear_only_once(tmp_path, header, repeated):
    cells = ",".join(["x"] * len(header.split(",")))
    path = _write(tmp_path / "twice.csv", f"{header}\n{cells}\n")
    with pytest.raises(AnnotationFileError) as raised:
        read_csv_judgements(path)
    found = ", ".join(name.strip() for name in header.split(","))
    assert str(raised.value) == (
        f"{path}: line 1 (header): repeated column(s) {repeated} (found: {found}). "
        "Fix: keep one column of each name: delete or rename the others"
    )


def test_columns_crosspair_ignores_may_repeat(corpus, tmp_path):
    image, caption = corpus.images[0], corpus.captions[0]
    text = f"annotator,item,candidate,label,note,note,,\nli,{image},{caption},match,a,b,,\n"
    result = import_judgements([_write(tmp_path / "notes.csv", text)], corpus.items)
    assert list(result.judgements["label"]) == ["match"] and result.rejects.empty

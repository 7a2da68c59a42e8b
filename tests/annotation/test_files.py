"""Where judgements are read from, and files that cannot be read: errors or reject rows."""

import os

import pytest

from crosspair.annotation import AnnotationFileError, find_annotation_files, import_judgements
from crosspair.annotation.label_studio import read_label_studio
from tests.annotation.conftest import ls_annotation, ls_task, write_json

SETTING = "the annotations setting (env CROSSPAIR_ANNOTATIONS)"


def _fix(spec: str) -> str:
    return (
        f"Fix: correct the setting, create the folder, or write it as optional:{spec} to read it "
        "only when it exists"
    )


def test_a_location_that_was_set_must_exist(tmp_path):
    with pytest.raises(AnnotationFileError) as raised:
        find_annotation_files("typo/", tmp_path)
    assert str(raised.value) == (
        f"typo/: {SETTING}: no such file or folder in {tmp_path.resolve()}. {_fix('typo/')}"
    )
    absolute = str(tmp_path / "typo")
    with pytest.raises(AnnotationFileError) as raised:
        find_annotation_files(absolute, tmp_path)
    assert str(raised.value) == f"{absolute}: {SETTING}: no such file or folder. {_fix(absolute)}"
    # a glob names its folder: a missing folder is the same typo
    with pytest.raises(AnnotationFileError) as raised:
        find_annotation_files("batch_b/**/*.csv", tmp_path)
    assert raised.value.path == "batch_b"
    assert str(raised.value).endswith(_fix("batch_b/**/*.csv"))


def test_only_the_default_and_optional_locations_may_be_missing(tmp_path):
    for default in ("annotations/", "annotations", "./annotations"):
        assert find_annotation_files(default, tmp_path) == (
            [],
            f"no judgements: {default} does not exist",
        )
    assert find_annotation_files("optional:data/in/annotations", tmp_path) == (
        [],
        "no judgements: data/in/annotations does not exist",
    )
    assert find_annotation_files("optional:data/*.csv", tmp_path) == (
        [],
        "no file matches data/*.csv",
    )
    found = tmp_path / "data" / "in" / "annotations" / "a.csv"
    found.parent.mkdir(parents=True)
    found.write_text("annotator,item,candidate,label\n", encoding="utf-8")
    assert find_annotation_files("optional:data/in/annotations", tmp_path) == (
        [found],
        "1 file(s) in data/in/annotations",
    )
    # a glob whose folder exists may match nothing
    assert find_annotation_files("data/*.json", tmp_path) == ([], "no file matches data/*.json")


def test_json_nested_too_deeply_names_the_file(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(AnnotationFileError) as raised:
        read_label_studio(path)
    assert str(raised.value) == (
        f"{path}: structure: JSON nested too deeply to read. Fix: export the project again from "
        "Label Studio with Export → JSON"
    )


def test_a_malformed_file_is_a_reject_row_and_the_other_files_are_imported(corpus, tmp_path):
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    good = write_json(
        tmp_path / "a" / "good.json", [ls_task(1, data, [ls_annotation(1, 1, ["match"])])]
    )
    broken = tmp_path / "a" / "broken.json"
    broken.write_text('[{"id": 1},', encoding="utf-8")
    deep = tmp_path / "a" / "deep.json"
    deep.write_text("[" * 100_000, encoding="utf-8")
    table = tmp_path / "a" / "short.csv"
    table.write_text("annotator,item,label\nli,x,match\n", encoding="utf-8")

    result = import_judgements([broken, deep, good, table], corpus.items, base=tmp_path)

    assert list(result.judgements["source_file"]) == ["a/good.json"]
    assert result.files == ["a/broken.json", "a/deep.json", "a/good.json", "a/short.csv"]
    export_again = "Fix: export the project again from Label Studio with Export → JSON"
    unused = "no judgement of the file is used"
    assert result.rejects[["source_file", "task_id", "reason", "detail"]].to_dict("records") == [
        {
            "source_file": "a/broken.json",
            "task_id": "",
            "reason": "unreadable_file",
            "detail": "line 1 column 12: not valid JSON (Expecting value); "
            f"{unused}. {export_again}",
        },
        {
            "source_file": "a/deep.json",
            "task_id": "",
            "reason": "unreadable_file",
            "detail": f"structure: JSON nested too deeply to read; {unused}. {export_again}",
        },
        {
            "source_file": "a/short.csv",
            "task_id": "",
            "reason": "unreadable_file",
            "detail": "line 1 (header): missing column(s) candidate (found: annotator, item, "
            f"label); {unused}. Fix: make the first line the header "
            "annotator,item,candidate,label",
        },
    ]


def test_a_file_that_cannot_be_opened_is_a_reject_row(corpus, tmp_path):
    folder = tmp_path / "b.json"
    folder.mkdir()  # a folder named like a file: opening it fails with an OS error
    result = import_judgements([folder], corpus.items, base=tmp_path)
    assert list(result.rejects["detail"]) == [
        "file: cannot be read (Is a directory); no judgement of the file is used. "
        "Fix: check that it is a readable file"
    ]


def test_a_file_name_that_is_not_utf8_is_a_reject_row_saying_to_rename_it(corpus, tmp_path):
    folder = tmp_path / "annotations"
    folder.mkdir()
    odd = folder / os.fsdecode(b"bad\xffname.csv")  # the OS gives 'bad\udcffname.csv'
    odd.write_text(
        f"annotator,item,candidate,label\nli,{corpus.images[0]},{corpus.captions[0]},match\n",
        encoding="utf-8",
    )
    data = {"left_id": corpus.images[0], "right_id": corpus.captions[0]}
    write_json(folder / "good.json", [ls_task(1, data, [ls_annotation(1, 1, ["match"])])])

    files, _ = find_annotation_files("annotations/", tmp_path)
    result = import_judgements(files, corpus.items, base=tmp_path)

    assert result.files == ["annotations/bad\\xffname.csv", "annotations/good.json"]
    assert list(result.judgements["source_file"]) == ["annotations/good.json"]
    assert result.rejects[["source_file", "reason", "detail"]].to_dict("records") == [
        {
            "source_file": "annotations/bad\\xffname.csv",
            "reason": "unreadable_file",
            "detail": "file name: 'annotations/bad\\xffname.csv' is not valid UTF-8; no judgement "
            "of the file is used. Fix: rename the file",
        }
    ]

"""The annotation assets and the agreement-floor check, materialised by Dagster for real."""

import pandas as pd
import pytest
from dagster import AssetCheckSeverity, AssetKey, asset, materialize

from assets.annotation import adjudication, annotation_agreement, annotation_import
from assets.pairing import reviewed_pairs
from checks.annotation import agreement_floor_check
from crosspair.annotation.tables import (
    ANNOTATION_AGREEMENT,
    HUMAN_DECISIONS,
    JUDGEMENT_REJECTS,
)
from crosspair.ids import pair_id
from crosspair.pairing import pairs_frame
from crosspair.schemas import CATALOGS, EXTRACTED_AUDIO, JUDGEMENTS, PAIRS, empty_frame
from dagster_project.io_manager import TableIOManager
from dagster_project.resources import CrosspairSettings
from tests.annotation.conftest import COCO, ls_annotation, ls_task, pair_row, write_json

M, N = "match", "no_match"
SCHEMAS = {
    "human_judgements": JUDGEMENTS,
    "annotation_rejects": JUDGEMENT_REJECTS,
    "annotation_agreement": ANNOTATION_AGREEMENT,
    "human_decisions": HUMAN_DECISIONS,
    "human_pairs": PAIRS,
    "pairs": PAIRS,
}


def _table_asset(name: str, frame: pd.DataFrame):
    @asset(name=name)
    def _table() -> pd.DataFrame:
        return frame

    return _table


def _upstream(corpus, pairs: pd.DataFrame) -> list:
    tables = {
        f"{m}_catalog": corpus.catalogs.get(m, empty_frame(CATALOGS[m]))
        for m in ("image", "audio", "video", "mesh", "text", "code")
    }
    tables["extracted_audio"] = empty_frame(EXTRACTED_AUDIO)
    tables["pair_candidates"] = pairs
    return [_table_asset(name, frame) for name, frame in tables.items()]


def _pairs(corpus) -> pd.DataFrame:
    return pairs_frame(
        [
            pair_row(corpus.images[k], corpus.captions[k], "manifest_reference", COCO, "image")
            for k in range(3)
        ]
    )


def _write_annotations(folder, corpus, votes: dict[str, list[str]]):
    """A Label Studio export for the first two pairs, a CSV for the third."""
    tasks = [
        ls_task(
            k + 1,
            {"left_id": corpus.images[k], "right_id": corpus.captions[k]},
            [ls_annotation(10 * k + u, u, [votes[str(u)][k]]) for u in (1, 2, 3)],
        )
        for k in range(2)
    ]
    tasks[0]["annotations"].append(ls_annotation(99, 4, [], cancelled=True))
    write_json(folder / "project-3.json", tasks)
    lines = ["annotator,item,candidate,label"] + [
        f"{u},{corpus.images[2]},{corpus.captions[2]},{votes[str(u)][2]}" for u in (1, 2, 3)
    ]
    (folder / "round2.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _materialise(tmp_path, corpus, instance, **settings):
    data = tmp_path / "data"
    result = materialize(
        [
            *_upstream(corpus, _pairs(corpus)),
            annotation_import,
            annotation_agreement,
            adjudication,
            reviewed_pairs,
            agreement_floor_check,
        ],
        instance=instance,
        resources={
            "settings": CrosspairSettings(data_dir=str(data), **settings),
            "io_manager": TableIOManager(data_dir=str(data)),
        },
        raise_on_error=False,
    )
    (check,) = result.get_asset_check_evaluations()
    tables = data / "tables"
    for name, schema in SCHEMAS.items():  # every table written matches its one definition
        if (tables / f"{name}.parquet").is_file():
            schema.validate(pd.read_parquet(tables / f"{name}.parquet"))
    return result, check, tables


def _metadata(result, key: str) -> dict:
    for event in result.get_asset_materialization_events():
        if event.asset_key == AssetKey(key):
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise KeyError(key)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """The default setting reads annotations/ under the working folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_high_agreement_passes_and_gives_human_pairs(workdir, corpus, dagster_instance):
    # every annotator agrees: pairs 1 and 3 match, pair 2 does not (alpha = 1)
    votes = {"1": [M, N, M], "2": [M, N, M], "3": [M, N, M]}
    _write_annotations(workdir / "annotations", corpus, votes)
    result, check, tables = _materialise(workdir, corpus, dagster_instance)

    assert result.success
    assert check.passed
    assert check.metadata["note"].value == "every alpha at or above 0.6"

    judgements = pd.read_parquet(tables / "human_judgements.parquet")
    JUDGEMENTS.validate(judgements)
    assert len(judgements) == 9
    assert sorted(set(judgements["source_file"])) == [
        "annotations/project-3.json",
        "annotations/round2.csv",
    ]
    rejects = pd.read_parquet(tables / "annotation_rejects.parquet")
    assert list(rejects["reason"]) == ["cancelled"]
    assert _metadata(result, "human_judgements")["annotation files"] == "2 file(s) in annotations/"
    assert _metadata(result, "human_judgements")["label set"] == "has match and no_match"

    agreement = pd.read_parquet(tables / "annotation_agreement.parquet")
    assert list(agreement["source"]) == [COCO, "(all)"]
    assert list(agreement["krippendorff_alpha"]) == [1.0, 1.0]
    assert list(agreement["fleiss_kappa"]) == [1.0, 1.0]

    human = pd.read_parquet(tables / "human_pairs.parquet")
    expected_ids = {pair_id(corpus.images[k], corpus.captions[k], "human") for k in (0, 2)}
    assert set(human["pair_id"]) == expected_ids
    assert set(human["score"]) == {1.0} and set(human["method"]) == {"human"}
    decisions = pd.read_parquet(tables / "human_decisions.parquet")
    assert sorted(decisions["decision"]) == [M, M, N]
    # in the pair table, pairs 1 and 3 are now human pairs and pair 2 is gone, with its reason
    pairs = pd.read_parquet(tables / "pairs.parquet")
    assert set(pairs["pair_id"]) == expected_ids
    removed = pd.read_parquet(tables / "removed_pairs.parquet")
    assert len(removed) == 3 and removed["reason"].str.len().gt(0).all()


def test_low_agreement_fails_the_check_and_holds_back_the_decisions(
    workdir, corpus, dagster_instance
):
    # annotators 1 and 2 always disagree, 3 sides with each in turn: alpha well below 0.6
    votes = {"1": [M, N, M], "2": [N, M, N], "3": [M, M, N]}
    _write_annotations(workdir / "annotations", corpus, votes)
    result, check, tables = _materialise(workdir, corpus, dagster_instance)

    assert not check.passed
    assert check.severity == AssetCheckSeverity.ERROR
    assert check.metadata["below_floor"].value == 2  # the source and all sources
    assert check.metadata["lowest_alpha"].value < 0
    assert COCO in check.metadata["failing rows"].value
    # decisions of annotators who do not agree are not applied: the pairs stay as they were
    assert (tables / "annotation_agreement.parquet").is_file()
    candidates = _pairs(corpus)
    pairs = pd.read_parquet(tables / "pairs.parquet")
    assert pairs["pair_id"].tolist() == candidates["pair_id"].tolist()
    assert pd.read_parquet(tables / "removed_pairs.parquet").empty
    assert _metadata(result, "pairs")["Human review"].startswith("human decisions NOT applied")


def test_no_annotation_folder_means_no_judgements_and_a_pass(workdir, corpus, dagster_instance):
    result, check, tables = _materialise(workdir, corpus, dagster_instance)
    assert result.success
    assert check.passed
    assert check.metadata["note"].value == "no judgements"
    assert _metadata(result, "human_judgements")["annotation files"] == (
        "no judgements: annotations/ does not exist"
    )
    assert pd.read_parquet(tables / "human_judgements.parquet").empty
    assert pd.read_parquet(tables / "human_pairs.parquet").empty


def test_the_floor_and_the_folder_are_settings(workdir, corpus, dagster_instance):
    votes = {"1": [M, N, M], "2": [N, M, N], "3": [M, M, N]}
    _write_annotations(workdir / "batch_b", corpus, votes)
    _, check, tables = _materialise(
        workdir, corpus, dagster_instance, annotations="batch_b/*.csv", agreement_floor=-1.0
    )
    assert check.passed
    assert set(pd.read_parquet(tables / "human_judgements.parquet")["source_file"]) == {
        "batch_b/round2.csv"
    }


def _import_only(tmp_path, corpus, instance, **settings):
    """Materialise annotation_import alone: (result, tables folder)."""
    data = tmp_path / "data"
    result = materialize(
        [*_upstream(corpus, _pairs(corpus)), annotation_import],
        instance=instance,
        resources={
            "settings": CrosspairSettings(data_dir=str(data), **settings),
            "io_manager": TableIOManager(data_dir=str(data)),
        },
        raise_on_error=False,
    )
    return result, data / "tables"


def _step_error(result) -> str:
    """The innermost error of the failed step: the asset's own, not Dagster's wrapper."""
    (failure,) = result.get_step_failure_events()
    error = failure.step_failure_data.error
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


@pytest.mark.parametrize("how", ["environment", "setting"])
def test_a_missing_location_that_was_set_fails_the_import(
    workdir, corpus, dagster_instance, monkeypatch, how
):
    settings = {}
    if how == "environment":
        monkeypatch.setenv("CROSSPAIR_ANNOTATIONS", "/typo")
    else:
        settings["annotations"] = "/typo"
    result, tables = _import_only(workdir, corpus, dagster_instance, **settings)

    assert not result.success
    assert _step_error(result) == (
        "crosspair.annotation.records.AnnotationFileError: /typo: the annotations setting (env "
        "CROSSPAIR_ANNOTATIONS): no such file or folder. Fix: correct the setting, create the "
        "folder, or write it as optional:/typo to read it only when it exists"
    )
    assert not (tables / "human_judgements.parquet").exists()


def test_an_optional_location_may_be_missing(workdir, corpus, dagster_instance, monkeypatch):
    monkeypatch.setenv("CROSSPAIR_ANNOTATIONS", "optional:input/annotations")
    result, tables = _import_only(workdir, corpus, dagster_instance)
    assert result.success
    assert _metadata(result, "human_judgements")["annotation files"] == (
        "no judgements: input/annotations does not exist"
    )
    assert pd.read_parquet(tables / "human_judgements.parquet").empty


def test_a_malformed_file_is_a_reject_and_the_rest_is_imported(workdir, corpus, dagster_instance):
    votes = {"1": [M, N, M], "2": [M, N, M], "3": [M, N, M]}
    _write_annotations(workdir / "annotations", corpus, votes)
    (workdir / "annotations" / "round3.json").write_text('[{"id": 1},', encoding="utf-8")
    result, tables = _import_only(workdir, corpus, dagster_instance)

    assert result.success
    judgements = pd.read_parquet(tables / "human_judgements.parquet")
    assert len(judgements) == 9
    rejects = pd.read_parquet(tables / "annotation_rejects.parquet")
    JUDGEMENT_REJECTS.validate(rejects)
    assert rejects[["source_file", "reason"]].to_dict("records") == [
        {"source_file": "annotations/project-3.json", "reason": "cancelled"},
        {"source_file": "annotations/round3.json", "reason": "unreadable_file"},
    ]
    assert rejects.at[1, "detail"].startswith("line 1 column 12: not valid JSON")
    metadata = _metadata(result, "human_judgements")
    assert metadata["# Unreadable files"] == 1
    assert metadata["# Files"] == 3

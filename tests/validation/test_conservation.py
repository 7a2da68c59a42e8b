"""check_conservation on the real COCO items: every discovered item in exactly one table."""

from __future__ import annotations

import pandas as pd
import pytest

from crosspair.items import Candidate, reject_row
from crosspair.schemas import REJECTS
from crosspair.validation import check_conservation


@pytest.fixture
def build(image_catalog, caption_catalog, audio_catalog):
    """Discovered items, catalogs and rejects of a clean build: one real image is rejected."""
    rejected = image_catalog.iloc[[7]]
    candidate = Candidate(
        **{
            **rejected.iloc[0][
                ["item_id", "source", "modality", "path", "record_key", "licence", "subject_ids"]
            ],
            "abs_path": None,
        }
    )
    rejects = pd.DataFrame(
        [reject_row(candidate, "probe", "truncated", "decoded 3 of 5 scan lines")],
        columns=list(REJECTS.columns),
    )
    catalogs = {
        "image": image_catalog.iloc[:7],
        "text": caption_catalog,
        "audio": audio_catalog,
    }
    discovered = pd.concat([image_catalog, caption_catalog, audio_catalog])[["source", "item_id"]]
    return discovered, catalogs, rejects


def test_clean_build_conserves_every_item(build):
    outcome = check_conservation(*build)

    assert outcome.passed
    assert outcome.summary["coco.discovered"] == 48
    assert outcome.summary["coco.catalogued"] == 47
    assert outcome.summary["coco.rejected"] == 1
    assert outcome.summary["speech.catalogued"] == 4
    assert outcome.summary["unbalanced_sources"] == 0


def test_lost_double_and_unknown_items_are_named(build, audio_catalog):
    discovered, catalogs, rejects = build
    lost = catalogs["text"].loc[5, "item_id"]
    both = catalogs["image"].loc[2, "item_id"]
    catalogs = {
        **catalogs,
        "text": catalogs["text"].drop(index=5),
        "audio": pd.concat([audio_catalog, audio_catalog.iloc[[0]]]),
    }
    stray = rejects.assign(item_id="00000000000000aa", source="speech")
    rejects = pd.concat([rejects, stray, rejects.assign(item_id=both)], ignore_index=True)

    outcome = check_conservation(discovered, catalogs, rejects)

    assert not outcome.passed
    found = set(
        outcome.failures[["source", "item_id", "problem"]].itertuples(index=False, name=None)
    )
    assert found == {
        ("coco", lost, "lost"),
        ("coco", both, "catalogued_and_rejected"),
        ("speech", audio_catalog.loc[0, "item_id"], "duplicated"),
        ("speech", "00000000000000aa", "not_discovered"),
    }
    # in coco the lost caption and the doubly placed image cancel out in the counts
    assert outcome.summary["unbalanced_sources"] == 1
    assert outcome.summary["failing_sources"] == "coco, speech"


def test_swapped_items_keep_counts_but_fail(build):
    # counts still add up, but one discovered item is gone and an unknown one took its place
    discovered, catalogs, rejects = build
    text = catalogs["text"].copy()
    gone = text.loc[0, "item_id"]
    text.loc[0, "item_id"] = "00000000000000bb"

    outcome = check_conservation(discovered, {**catalogs, "text": text}, rejects)

    assert not outcome.passed
    assert outcome.summary["unbalanced_sources"] == 0
    assert dict(zip(outcome.failures["item_id"], outcome.failures["problem"], strict=True)) == {
        gone: "lost",
        "00000000000000bb": "not_discovered",
    }

"""Why a pool text got no model pair, on hand-made similarity matrices, and the rows it makes."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from crosspair.schemas import UNPAIRED
from crosspair.semantic.config import Match
from crosspair.semantic.matching import match_pool
from crosspair.semantic.ranking import RankingRule
from crosspair.semantic.scorer import ConfiguredModelError, load_image_scorer
from crosspair.semantic.scoring import ItemVectors
from crosspair.semantic.unmatched import unmatched_rows, unselected

ITEMS = ["item_a", "item_b"]


def test_top_k_loses_only_texts_whose_best_is_below_the_threshold():
    similarity = np.array([[0.9, 0.1], [0.15, 0.12]])
    reasons = unselected(similarity, RankingRule(top_k=2, threshold=0.2), ITEMS)
    assert reasons == {1: "below the threshold 0.2: top_k chose item_a at cosine 0.150"}


def test_one_to_one_names_the_text_that_lost_its_item():
    # three texts for two items: text 2 wants item_a most, but text 0 wants it more
    similarity = np.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]])
    reasons = unselected(similarity, RankingRule(one_to_one=True), ITEMS)
    assert reasons == {
        2: "lost the one-to-one assignment: 3 texts for 2 items; its best item item_a "
        "(cosine 0.700) went to another text"
    }


def test_one_to_one_below_threshold_names_the_assigned_and_the_best_item():
    # text 1 is assigned item_b (0.25) since text 0 takes item_a; 0.25 is below 0.3
    similarity = np.array([[0.9, 0.1], [0.4, 0.25]])
    reasons = unselected(similarity, RankingRule(one_to_one=True, threshold=0.3), ITEMS)
    assert reasons == {
        1: "below the threshold 0.3: one_to_one chose item_b at cosine 0.250; its best item "
        "was item_a (cosine 0.400)"
    }


def test_mutual_best_says_the_best_item_prefers_another_text():
    similarity = np.array([[0.9, 0.1], [0.6, 0.5]])
    reasons = unselected(similarity, RankingRule(mutual_best=True), ITEMS)
    assert reasons == {
        1: "not mutual best: its best item item_a (cosine 0.600) fits another pool text better"
    }


def test_chosen_texts_and_empty_matrices_have_no_reason():
    assert unselected(np.array([[0.9, 0.1], [0.2, 0.8]]), RankingRule(one_to_one=True), ITEMS) == {}
    assert unselected(np.zeros((0, 2)), RankingRule(), ITEMS) == {}


def test_unmatched_rows_are_unpaired_items_of_the_pool_file():
    pool = pd.DataFrame(
        {"item_id": ["0" * 15 + "1", "0" * 15 + "2"], "source": "code", "modality": "text"}
    )
    match = Match(pool="pool.jsonl", kind="docstring", one_to_one=True)
    rows = UNPAIRED.validate(unmatched_rows(pool, match, "code", {1: "lost it"}))
    assert rows.to_dict("records") == [
        {
            "item_id": "0" * 15 + "2",
            "source": "code",
            "modality": "text",
            "path": "pool.jsonl",
            "wanted": "pool docstring ↔ code item (model:minilm)",
            "reason": "lost it",
        }
    ]
    everything = unmatched_rows(pool, match, "code", "no model: none here")
    assert list(everything["reason"]) == ["no model: none here"] * 2


def test_no_image_model_configured_is_a_reason_not_an_error():
    scorer, why = load_image_scorer("ViT-B-32", None, None)
    assert scorer is None
    assert why.startswith("no image-text model configured: set clip_checkpoint")


def test_a_configured_checkpoint_that_is_missing_fails_naming_setting_and_file(tmp_path):
    missing = tmp_path / "models" / "vit.pt"
    with pytest.raises(ConfiguredModelError) as error:
        load_image_scorer("ViT-B-32", str(missing), None)
    message = str(error.value)
    assert message.startswith(
        f"clip_checkpoint (env CROSSPAIR_CLIP_CHECKPOINT) is set to '{missing}'"
    )
    assert f"open_clip checkpoint {missing} not found" in message


def test_a_configured_checkpoint_that_cannot_be_loaded_fails_naming_it(tmp_path):
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"not a checkpoint")
    with pytest.raises(ConfiguredModelError, match="clear clip_checkpoint") as error:
        load_image_scorer("ViT-B-32", str(corrupt), None)
    # open_clip missing (this environment) or the file refused (.venv-vision): either way named
    assert f"is set to '{corrupt}'" in str(error.value)


def test_a_pool_with_no_item_to_match_is_unmatched_as_a_whole():
    pool = pd.DataFrame({"item_id": ["a" * 16, "b" * 16], "source": "talks", "modality": "text"})
    audio = pd.DataFrame({"item_id": ["c" * 16], "source": "talks", "modality": "audio"})
    no_pairs = pd.DataFrame(columns=["left_id", "right_id", "right_modality"])
    text_only = SimpleNamespace(name="minilm-test", modalities=frozenset({"text"}))
    match = Match(pool="pool.jsonl", kind="transcript")

    found, report = match_pool(match, pool, audio, no_pairs, ItemVectors(text_only))

    assert found.empty and (report.candidates, report.unrepresented, report.pairs) == (0, 1, 0)
    assert report.counts()["unmatched_texts"] == 2
    assert list(report.unmatched["wanted"]) == ["pool transcript ↔ audio item (model:minilm)"] * 2
    assert set(report.unmatched["reason"]) == {
        "none of the source's 1 audio items has a paired text, and minilm-test represents "
        "audio items only by their paired texts"
    }

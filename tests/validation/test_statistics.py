"""Statistics checks on real COCO captions, images and speech; each proven to pass and fail."""

from __future__ import annotations

import io
import json

import pandas as pd
from PIL import Image

from crosspair.ids import item_id, pair_id
from crosspair.validation import (
    exact_duplicates_report,
    modality_imbalance,
    near_duplicates_report,
    text_length_outliers,
)

# measured on the 200 real captions: median 10 words, MAD 1, so |z| > 3.5 means 16+ words
COCO_OUTLIER_WORDS = [16, 16, 17, 17, 21, 21, 24]


def test_real_coco_captions_have_seven_long_outliers(captions):
    outcome = text_length_outliers(captions)

    assert not outcome.passed
    assert outcome.summary["texts"] == 200 and outcome.summary["groups"] == 1
    assert sorted(outcome.failures["n_words"]) == COCO_OUTLIER_WORDS
    assert set(outcome.failures["reason"]) == {"z_score"}
    assert (outcome.failures["median_words"] == 10).all()
    assert outcome.failures.iloc[0]["n_words"] == 24  # worst first


def test_real_coco_captions_pass_a_looser_threshold(captions):
    outcome = text_length_outliers(captions, z=10)

    assert outcome.passed
    assert outcome.summary["outliers"] == 0


def test_injected_300_word_caption_is_flagged_first(captions):
    text = " ".join(["horse"] * 300)
    injected = pd.concat(
        [
            captions,
            pd.DataFrame(
                [
                    {
                        "item_id": "f" * 16,
                        "source": "coco",
                        "kind": "caption",
                        "text": text,
                        "n_words": 300,
                    }
                ]
            ),
        ],
        ignore_index=True,
    )

    outcome = text_length_outliers(injected, z=10)

    assert not outcome.passed
    assert list(outcome.failures["item_id"]) == ["f" * 16]
    assert outcome.failures.loc[0, "z_score"] > 100
    assert outcome.failures.loc[0, "text"].endswith("…")


def test_hard_limits_apply_per_text(captions):
    texts = captions.copy()
    texts.loc[0, ["text", "n_words"]] = ["", 0]

    outcome = text_length_outliers(texts, z=10, max_words=20)

    reasons = outcome.failures.groupby("reason")["n_words"].apply(sorted).to_dict()
    assert reasons == {"above_max_words": [21, 21, 24], "below_min_words": [0]}
    assert outcome.summary["reason.above_max_words"] == 3


def test_groups_are_scored_separately(captions):
    # the same 24-word caption is normal among other long texts of another kind
    long_texts = captions.assign(
        kind="description", n_words=captions["n_words"] + 14, item_id=captions["item_id"] + "x"
    )
    outcome = text_length_outliers(pd.concat([captions, long_texts]), z=10)

    assert outcome.passed and outcome.summary["groups"] == 2


def test_exact_duplicates_within_and_across_sources(coco_root, image_catalog, make_image_row):
    assert exact_duplicates_report({"image": image_catalog}).passed

    original = coco_root / image_catalog.loc[0, "path"]
    (coco_root / "images/copy_of_first.jpg").write_bytes(original.read_bytes())
    (coco_root / "mirror.jpg").write_bytes((coco_root / image_catalog.loc[1, "path"]).read_bytes())
    within = pd.DataFrame([make_image_row("coco", coco_root, "images/copy_of_first.jpg")])
    across = pd.DataFrame([make_image_row("coco_mirror", coco_root, "mirror.jpg")])
    catalogs = {"image": pd.concat([image_catalog, within]), "image_mirror": across}

    outcome = exact_duplicates_report(catalogs)

    assert not outcome.passed
    assert outcome.summary["duplicate_groups"] == 2
    assert outcome.summary["within_source_groups"] == outcome.summary["across_source_groups"] == 1
    scopes = outcome.failures.groupby("scope")["path"].apply(sorted).to_dict()
    assert scopes == {
        "across_sources": sorted([image_catalog.loc[1, "path"], "mirror.jpg"]),
        "within_source": sorted([image_catalog.loc[0, "path"], "images/copy_of_first.jpg"]),
    }


def test_near_duplicates_of_a_resized_real_image(coco_root, image_catalog, make_image_row):
    # the clustering is crosspair.duplicates' job; this proves the report reads its output
    from crosspair.duplicates import near_duplicate_clusters

    assert near_duplicates_report(near_duplicate_clusters(image_catalog)).passed

    with Image.open(coco_root / image_catalog.loc[2, "path"]) as image:
        small = image.resize((image.width // 2, image.height // 2))
        buffer = io.BytesIO()
        small.save(buffer, "JPEG", quality=70)
    (coco_root / "images/small.jpg").write_bytes(buffer.getvalue())
    images = pd.concat(
        [image_catalog, pd.DataFrame([make_image_row("coco", coco_root, "images/small.jpg")])]
    )

    outcome = near_duplicates_report(near_duplicate_clusters(images, max_distance=6))

    assert not outcome.passed
    assert outcome.summary["duplicate_clusters"] == 1
    assert outcome.summary["largest_cluster"] == 2
    small_id = images.iloc[-1]["item_id"]
    assert set(outcome.failures["item_id"]) == {image_catalog.loc[2, "item_id"], small_id}


def test_near_duplicates_hand_made_table_with_singletons():
    table = pd.DataFrame(
        {
            "item_id": ["a1", "a2", "a3", "b1"],
            "cluster_id": ["a1", "a1", "a1", "b1"],
            "nearest_id": ["a2", "a1", "a2", ""],
            "distance": [2, 2, 5, 64],
        }
    )
    assert near_duplicates_report(table.iloc[3:]).passed

    outcome = near_duplicates_report(table)

    assert list(outcome.failures["item_id"]) == ["a1", "a2", "a3"]
    assert outcome.summary["clusters"] == 2 and outcome.summary["duplicate_clusters"] == 1


def test_modality_balance_on_real_pairs(image_catalog, caption_catalog, coco_pairs, audio_catalog):
    catalogs = {"image": image_catalog, "text": caption_catalog}
    outcome = modality_imbalance(catalogs, coco_pairs)

    assert outcome.passed
    assert outcome.summary["coco.items.image"] == 8
    assert outcome.summary["coco.items.text"] == 40
    assert outcome.summary["coco.pairs.manifest"] == 40
    assert outcome.summary["coco.unpaired_share"] == 0.0

    # 5 of 8 images lose their pairs; the speech source has audio but no pairs at all
    kept = coco_pairs[coco_pairs["left_id"].isin(image_catalog["item_id"].iloc[:3])]
    outcome = modality_imbalance({**catalogs, "audio": audio_catalog}, kept)

    assert not outcome.passed
    reasons = dict(zip(outcome.failures["source"], outcome.failures["reason"], strict=True))
    assert reasons == {"coco": "unpaired_share_above_max", "speech": "no_pairs"}
    coco = outcome.failures.set_index("source").loc["coco"]
    assert (coco["unpaired_items"], coco["unpaired_share"]) == (5, 0.625)
    assert coco["items_per_modality"] == "image=8;text=40"


def test_modality_balance_threshold_is_inclusive(image_catalog, caption_catalog, coco_pairs):
    half = coco_pairs[coco_pairs["left_id"].isin(image_catalog["item_id"].iloc[:4])]
    catalogs = {"image": image_catalog, "text": caption_catalog}

    assert modality_imbalance(catalogs, half, max_unpaired_share=0.5).passed
    assert not modality_imbalance(catalogs, half, max_unpaired_share=0.49).passed


def test_pairs_from_a_second_method_are_counted(image_catalog, caption_catalog, coco_pairs):
    left, right = image_catalog.loc[0, "item_id"], item_id("coco", "alt.txt")
    extra = coco_pairs.iloc[:1].assign(
        pair_id=pair_id(left, right, "filename"),
        right_id=right,
        method="filename",
        params=json.dumps({}),
    )
    outcome = modality_imbalance(
        {"image": image_catalog, "text": caption_catalog}, pd.concat([coco_pairs, extra])
    )

    assert outcome.passed
    assert outcome.summary["coco.pairs.filename"] == 1
    assert not modality_imbalance({"image": image_catalog}, extra).passed  # 7 of 8 unpaired

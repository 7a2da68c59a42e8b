"""The pair_scores asset through Dagster, scoring real COCO image ↔ caption pairs with open_clip.

The tiny checkpoint is set as ``clip_checkpoint``; each score must equal the cosine that open_clip
itself computes for the pair's image file and caption text.
"""

import numpy as np
import pandas as pd
import pytest
import yaml
from dagster import AssetKey, AssetSelection, materialize

from assets import semantic
from crosspair.semantic.tables import PAIR_SCORES
from dagster_project.build import materialise_all
from dagster_project.definitions import all_assets
from dagster_project.io_manager import TableIOManager
from dagster_project.resources import CrosspairSettings
from tests.vision.conftest import CONTEXT_LENGTH

pytestmark = pytest.mark.slow


def _assets():
    """Every asset, with the semantic ones added if definitions.py does not list them yet."""
    known = {key for asset in all_assets for key in asset.keys}
    if AssetKey("pair_scores") in known:
        return list(all_assets)
    return [*all_assets, semantic.pair_scores]


@pytest.fixture
def coco_sources(tmp_path, shared_data):
    sources = {
        "version": 1,
        "sources": [
            {
                "name": "coco_captions",
                "modality": "image",
                "root": str(shared_data / "image_text"),
                "files": ["images/*.jpg"],
                "licence": "CC BY 2.0 or CC BY-SA 2.0 (Flickr images); CC BY 4.0 (COCO captions)",
                "origin": "COCO 2017 train/val, 40 images via Obmutescence/COCO-MINI",
                "manifest": {
                    "path": "captions.jsonl",
                    "kind": "caption",
                    "media_field": "file_name",
                    "text_field": "captions",
                    "id_field": "coco_image_id",
                },
            }
        ],
    }
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump(sources))
    return path


def test_pair_scores_scores_coco_pairs_with_the_configured_checkpoint(
    tmp_path, coco_sources, dagster_instance, tiny_model_name, tiny_checkpoint
):
    import open_clip
    import torch
    from PIL import Image

    # The build makes the catalogs and pairs; then pair_scores runs with the clip settings.
    data = tmp_path / "data"
    assert materialise_all(coco_sources, data, dagster_instance).complete
    settings = CrosspairSettings(
        sources_path=str(coco_sources),
        data_dir=str(data),
        clip_model=tiny_model_name,
        clip_checkpoint=str(tiny_checkpoint),
        clip_cache_dir="",
    )
    result = materialize(
        _assets(),
        selection=AssetSelection.assets("pair_scores"),
        instance=dagster_instance,
        resources={"settings": settings, "io_manager": TableIOManager(data_dir=str(data))},
    )
    assert result.success

    scores = result.output_for_node("pair_scores")
    PAIR_SCORES.validate(scores)
    assert len(scores) == 200  # 40 images × 5 captions
    assert set(scores["model_name"]) == {f"open_clip:{tiny_model_name}"}
    assert scores["model_version"].str.startswith("sha256:").all()
    assert set(scores["candidates"]) == {40}

    # Reference: open_clip on the same files and texts, cosine by hand.
    images = pd.read_parquet(data / "tables" / "image_catalog.parquet")
    text_catalog = pd.read_parquet(data / "tables" / "text_catalog.parquet")
    texts = dict(zip(text_catalog["item_id"], text_catalog["text"], strict=True))
    paths = {row["item_id"]: settings.resolve(row) for _, row in images.iterrows()}
    model, _, preprocess = open_clip.create_model_and_transforms(
        tiny_model_name, pretrained=str(tiny_checkpoint)
    )
    model.eval()
    tokenizer = open_clip.get_tokenizer(tiny_model_name)
    sample = scores.iloc[::17]
    with torch.no_grad():
        pixels = torch.stack(
            [preprocess(Image.open(paths[i]).convert("RGB")) for i in sample["left_id"]]
        )
        left = model.encode_image(pixels, normalize=True).numpy()
        right = model.encode_text(
            tokenizer([texts[i] for i in sample["right_id"]]), normalize=True
        ).numpy()
    np.testing.assert_allclose(sample["score"], (left * right).sum(axis=1), atol=1e-5)

    # Truncation reported in the metadata equals open_clip's own count over the captions.
    lengths = (tokenizer(list(texts.values()), context_length=512) != 0).sum(dim=1)
    metadata = result.asset_materializations_for_node("pair_scores")[0].metadata
    truncated = metadata[f"# Texts truncated (open_clip:{tiny_model_name})"].value
    assert truncated == int((lengths > CONTEXT_LENGTH).sum())
    assert metadata["image ↔ text"].value == f"scored with open_clip:{tiny_model_name}"

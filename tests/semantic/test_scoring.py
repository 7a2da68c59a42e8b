"""Scoring existing pairs and matching a pool with the real MiniLM on real HumanEval and COCO."""

import json

import numpy as np
import pandas as pd
import pytest

from crosspair.ids import item_id, pair_id
from crosspair.schemas import PAIRS
from crosspair.semantic.config import Match
from crosspair.semantic.item_text import strip_docstrings
from crosspair.semantic.matching import item_representations, match_pool
from crosspair.semantic.scorer import load_scorer
from crosspair.semantic.scoring import NO_IMAGE_MODEL, ItemVectors, score_existing_pairs
from crosspair.semantic.tables import PAIR_SCORES

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def minilm():
    return load_scorer("minilm")


@pytest.fixture(scope="module")
def humaneval(shared_data):
    lines = (shared_data / "text_code" / "humaneval_first50.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines[:6]]


def _pair(left: str, left_modality: str, right: str, source="src", method="manifest_record"):
    return {
        "pair_id": pair_id(left, right, method),
        "group_id": left,
        "source": source,
        "left_id": left,
        "left_modality": left_modality,
        "right_id": right,
        "right_modality": "text",
        "method": method,
        "score": np.nan,
        "params": "{}",
    }


def test_strip_docstrings_keeps_the_code():
    code = 'def f(x):\n    """Add one."""\n    return x + 1\n\nclass A:\n    "Doc."\n'
    assert strip_docstrings(code) == "def f(x):\n    return x + 1\n\nclass A:\n    pass"
    assert strip_docstrings("    return x\n") == "    return x\n"  # a bare body does not parse


def test_scores_code_docstring_pairs_and_finds_a_swapped_docstring(minilm, humaneval):
    codes = [item_id("src", "he.jsonl", r["task_id"]) for r in humaneval]
    docs = [item_id("src", "he.jsonl", r["task_id"] + "#0") for r in humaneval]
    texts = {
        c: strip_docstrings(r["prompt"] + r["canonical_solution"])
        for c, r in zip(codes, humaneval, strict=True)
    }
    texts.update({d: r["nl_docstring"] for d, r in zip(docs, humaneval, strict=True)})
    texts[docs[4]] = humaneval[0]["nl_docstring"]  # record 4 carries record 0's docstring
    image, audio = item_id("src", "a.jpg"), item_id("src", "a.wav")
    pairs = pd.DataFrame(
        [_pair(c, "code", d) for c, d in zip(codes, docs, strict=True)]
        + [_pair(image, "image", docs[0], method="manifest_reference")]
        + [_pair(audio, "audio", docs[1], method="manifest_reference")]
    )

    scores, skipped = score_existing_pairs(pairs, {"text": ItemVectors(minilm, texts=texts)})
    PAIR_SCORES.validate(scores)
    assert len(scores) == 6 and set(scores["candidates"]) == {6}

    # independent reference: cosine of separately embedded texts
    own = scores.set_index("left_id").loc[codes]
    for code, doc, score in zip(codes, docs, own["score"], strict=True):
        a, b = minilm.embed_texts([texts[code]]), minilm.embed_texts([texts[doc]])
        assert score == pytest.approx(float(a[0] @ b[0]), abs=1e-5)

    swapped = own.loc[codes[4]]
    assert swapped["best_left_id"] == codes[0] and swapped["rank"] > 1
    assert swapped["best_score"] > swapped["score"]
    assert list(own.drop(index=codes[4])["rank"]) == [1, 1, 1, 1, 1]

    reasons = dict(zip(skipped["left_modality"], skipped["reason"], strict=True))
    assert reasons == {"audio": "no model scores audio ↔ text", "image": NO_IMAGE_MODEL}


def test_pool_docstrings_are_matched_one_to_one(minilm, humaneval):
    codes = pd.DataFrame(
        {
            "item_id": [item_id("src", "he.jsonl", r["task_id"]) for r in humaneval],
            "source": "src",
            "modality": "code",
        }
    )
    order = [3, 0, 5, 1, 4, 2]  # pool texts in another order than the code
    pool = pd.DataFrame(
        {
            "item_id": [item_id("src", "pool.jsonl", f"pool:{i}#0") for i in order],
            "source": "src",
            "modality": "text",
        }
    )
    texts = {
        c: strip_docstrings(r["prompt"] + r["canonical_solution"])
        for c, r in zip(codes["item_id"], humaneval, strict=True)
    }
    texts.update(
        {p: humaneval[i]["nl_docstring"] for p, i in zip(pool["item_id"], order, strict=True)}
    )

    match = Match(pool="pool.jsonl", kind="docstring", one_to_one=True)
    found, report = match_pool(match, pool, codes, PAIRS_EMPTY, ItemVectors(minilm, texts=texts))
    PAIRS.validate(found)
    expected = {(codes["item_id"][i], p) for p, i in zip(pool["item_id"], order, strict=True)}
    assert set(zip(found["left_id"], found["right_id"], strict=True)) == expected
    assert set(found["method"]) == {"model:minilm"}
    assert report.pool_texts == 6 and report.candidates == 6 and report.pairs == 6
    params = json.loads(found["params"].iat[0])
    assert params["assignment"] == "one_to_one" and params["model_name"] == minilm.name


PAIRS_EMPTY = pd.DataFrame(columns=list(PAIRS.columns))


def test_images_are_represented_by_their_captions(minilm, shared_data):
    lines = (shared_data / "image_text" / "captions.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines[:8]]
    images = [item_id("coco", r["file_name"]) for r in records]
    texts, pairs, pool_ids = {}, [], []
    for image, record in zip(images, records, strict=True):
        *known, held_out = record["captions"]
        for index, caption in enumerate(known):
            caption_id = item_id("coco", "captions.jsonl", f"{record['file_name']}#{index}")
            texts[caption_id] = caption
            pairs.append(_pair(image, "image", caption_id, source="coco"))
        pool_id = item_id("coco", "pool.jsonl", f"pool:{record['file_name']}")
        texts[pool_id] = held_out
        pool_ids.append(pool_id)
    lonely = item_id("coco", "images/no_caption.jpg")  # an image with no caption: unrepresented
    items = pd.DataFrame({"item_id": [*images, lonely], "source": "coco", "modality": "image"})
    pool = pd.DataFrame({"item_id": pool_ids, "source": "coco", "modality": "text"})
    vectors = ItemVectors(minilm, texts=texts)

    kept, centroids = item_representations(items, pd.DataFrame(pairs), vectors)
    assert list(kept["item_id"]) == images and centroids.shape == (8, 384)

    match = Match(pool="pool.jsonl", kind="caption", top_k=1)
    found, report = match_pool(match, pool, items, pd.DataFrame(pairs), vectors)
    assert report.unrepresented == 1 and report.candidates == 8
    # Every held-out caption finds its own image but the first: "A bowl of broccoli, noodles
    # and other various foods." fits image 1 (a bowl of noodles and broccoli) better (0.845 against
    # 0.614 for its own plates of food).
    chosen = dict(zip(found["right_id"], found["left_id"], strict=True))
    assert chosen[pool_ids[0]] == images[1]
    assert [chosen[p] for p in pool_ids[1:]] == images[1:]

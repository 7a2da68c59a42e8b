"""Retrieval quality of the MiniLM scorer and the ranking code against lexical baselines.

Two tasks on the real data in ``../shared/data``, each scored by MiniLM and, in the same run,
by TF-IDF cosine (scikit-learn) and word-overlap Jaccard:

(a) captions: the 200 COCO captions (5 per image, 40 images), shuffled. Leave-one-out
    retrieval: a caption's neighbours among the other 199, a hit at k if one of its k nearest
    shares its image (recall@1, recall@5). Then regrouping with the ranking code: mutual-best
    caption pairs (share with the same image), and each image's first caption matched to the
    images represented by the mean of their other four (top-1 and one-to-one accuracy), which
    is what ``model_pairs`` does for a caption pool.
(b) code: the 50 HumanEval docstrings ranked against the 50 code items with docstrings removed
    (recall@1, recall@5, one-to-one accuracy), with the full docstring and with its doctest
    examples cut off (they name the function, which favours word overlap).

Prints each measure and its ratio to the TF-IDF baseline; writes bench/results/semantic.json.

    .venv/bin/python bench/semantic_retrieval.py [--seed 7] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from crosspair.semantic.item_text import strip_docstrings  # noqa: E402
from crosspair.semantic.ranking import mutual_best, one_to_one, top_k  # noqa: E402
from crosspair.semantic.scorer import cosine_matrix, load_scorer  # noqa: E402

DATA = REPO.parent / "shared" / "data"
WORD = re.compile(r"[a-z0-9]+")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=7, help="shuffle of the captions")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "semantic.json")
    return parser.parse_args(argv)


# -- scorers: each maps (queries, documents) to a similarity matrix --------------------------


def minilm_similarity(scorer, queries: list[str], documents: list[str]) -> np.ndarray:
    return cosine_matrix(scorer.embed_texts(queries), scorer.embed_texts(documents))


def tfidf_similarity(queries: list[str], documents: list[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(lowercase=True, sublinear_tf=True).fit(queries + documents)
    return (vectorizer.transform(queries) @ vectorizer.transform(documents).T).toarray()


def jaccard_similarity(queries: list[str], documents: list[str]) -> np.ndarray:
    query_sets = [set(WORD.findall(text.lower())) for text in queries]
    doc_sets = [set(WORD.findall(text.lower())) for text in documents]
    return np.array(
        [[len(q & d) / max(1, len(q | d)) for d in doc_sets] for q in query_sets], dtype=float
    )


def timed(function, *args) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    result = function(*args)
    return np.asarray(result, dtype=float), time.perf_counter() - started


# -- measures ----------------------------------------------------------------------------


def recall_at(similarity: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Share of queries with a relevant document among their top k (``relevant``: bool matrix)."""
    hits = {m.query for m in top_k(similarity, k) if relevant[m.query, m.candidate]}
    return len(hits) / similarity.shape[0]


def assignment_accuracy(matches, truth: np.ndarray) -> float:
    """Share of queries whose chosen candidate is the true one (unmatched queries count as miss)."""
    return sum(truth[m.query] == m.candidate for m in matches) / len(truth)


# -- (a) captions ------------------------------------------------------------------------


def load_captions(data: Path, seed: int) -> tuple[list[str], np.ndarray]:
    records = [json.loads(line) for line in (data / "image_text" / "captions.jsonl").open()]
    texts, images = [], []
    for image, record in enumerate(records):
        for caption in record["captions"]:
            texts.append(" ".join(caption.split()))
            images.append(image)
    order = np.random.default_rng(seed).permutation(len(texts))
    return [texts[i] for i in order], np.asarray(images)[order]


def caption_measures(similarity: np.ndarray, images: np.ndarray) -> dict:
    same = images[:, None] == images[None, :]
    masked = similarity.copy()
    np.fill_diagonal(masked, -np.inf)  # leave one out: a caption is not its own neighbour
    pairs = [
        m for m in mutual_best(np.where(np.isfinite(masked), masked, -2.0)) if m.query < m.candidate
    ]
    return {
        "recall@1": recall_at(masked, same, 1),
        "recall@5": recall_at(masked, same, 5),
        "mutual_best_pairs": len(pairs),
        "mutual_best_precision": sum(same[m.query, m.candidate] for m in pairs)
        / max(1, len(pairs)),
    }


def caption_pool_measures(embed, texts: list[str], images: np.ndarray) -> dict:
    """Each image's first caption (the pool) against images as the mean of their other four."""
    first = {}
    for index, image in enumerate(images):
        first.setdefault(int(image), index)
    pool = sorted(first.values())
    pool_images = images[pool]
    known = [i for i in range(len(texts)) if i not in set(pool)]
    known_images = images[known]
    order = sorted(set(images.tolist()))
    similarity = embed([texts[i] for i in pool], [texts[i] for i in known])
    # an image scores the mean similarity of its four known captions (any scorer can do that)
    per_image = np.stack(
        [similarity[:, known_images == image].mean(axis=1) for image in order], axis=1
    )
    truth = np.array([order.index(int(image)) for image in pool_images])
    return {
        "pool_top1": assignment_accuracy(top_k(per_image, 1), truth),
        "pool_one_to_one": assignment_accuracy(one_to_one(per_image), truth),
    }


def caption_pool_centroids(scorer, texts: list[str], images: np.ndarray) -> dict:
    """The pool task as ``model_pairs`` runs it: images as the centroid of caption embeddings."""
    pool = sorted(
        {int(image): index for index, image in reversed(list(enumerate(images)))}.values()
    )
    known = [i for i in range(len(texts)) if i not in set(pool)]
    order = sorted(set(images.tolist()))
    vectors = scorer.embed_texts(texts)
    centroids = np.stack([vectors[known][images[known] == image].mean(axis=0) for image in order])
    similarity = cosine_matrix(vectors[pool], centroids)
    truth = np.array([order.index(int(image)) for image in images[pool]])
    return {
        "pool_top1": assignment_accuracy(top_k(similarity, 1), truth),
        "pool_one_to_one": assignment_accuracy(one_to_one(similarity), truth),
    }


# -- (b) code ----------------------------------------------------------------------------


def load_code(data: Path) -> tuple[list[str], list[str], list[str]]:
    records = [json.loads(line) for line in (data / "text_code" / "humaneval_first50.jsonl").open()]
    docstrings = [record["nl_docstring"] for record in records]
    descriptions = [text.split(">>>")[0].strip() or text for text in docstrings]
    codes = [
        strip_docstrings(record["prompt"] + record["canonical_solution"]) for record in records
    ]
    return docstrings, descriptions, codes


def code_measures(similarity: np.ndarray) -> dict:
    truth = np.arange(similarity.shape[0])
    relevant = np.eye(similarity.shape[0], dtype=bool)
    return {
        "recall@1": recall_at(similarity, relevant, 1),
        "recall@5": recall_at(similarity, relevant, 5),
        "one_to_one": assignment_accuracy(one_to_one(similarity), truth),
    }


# -- report ------------------------------------------------------------------------------


def print_table(title: str, results: dict[str, dict], baseline: str = "tfidf") -> None:
    print(f"\n{title}")
    measures = list(next(iter(results.values())))
    print(f"{'method':<10}" + "".join(f"{m:>24}" for m in measures))
    for method, values in results.items():
        cells = []
        for measure in measures:
            value, base = values[measure], results[baseline][measure]
            if measure.endswith("pairs"):
                cells.append(f"{value:>24}")
                continue
            ratio = f"{value / base:.2f}x" if base else "n/a"
            cells.append(f"{value:>16.3f} ({ratio:>5})")
        print(f"{method:<10}" + "".join(cells))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scorer = load_scorer("minilm")
    methods = {
        "minilm": lambda q, d: minilm_similarity(scorer, q, d),
        "tfidf": tfidf_similarity,
        "jaccard": jaccard_similarity,
    }
    scorer.embed_texts(["warm up"])  # model loading is not timed

    texts, images = load_captions(args.data, args.seed)
    captions = {}
    for name, embed in methods.items():
        similarity, seconds = timed(embed, texts, texts)
        captions[name] = {
            **caption_measures(similarity, images),
            **caption_pool_measures(embed, texts, images),
            "score_s": round(seconds, 3),
        }

    centroids = caption_pool_centroids(scorer, texts, images)

    docstrings, descriptions, codes = load_code(args.data)
    code, code_plain = {}, {}
    before = scorer.truncated_count
    for name, embed in methods.items():
        similarity, seconds = timed(embed, docstrings, codes)
        code[name] = {**code_measures(similarity), "score_s": round(seconds, 3)}
        code_plain[name] = code_measures(np.asarray(embed(descriptions, codes), dtype=float))
    truncated_code = scorer.truncated_count - before

    print(f"semantic retrieval, seed {args.seed}; ratios against TF-IDF (same run)")
    print_table(f"(a) COCO captions: {len(texts)} captions of {len(set(images))} images", captions)
    print(
        "MiniLM with images as caption centroids (as model_pairs): "
        f"pool top-1 {centroids['pool_top1']:.3f}, one-to-one {centroids['pool_one_to_one']:.3f}"
    )
    print_table("(b) HumanEval docstring -> code (docstrings removed from code), 50 x 50", code)
    print_table("(b') the same with doctest examples cut from the docstrings", code_plain)
    print(f"\nMiniLM truncated {truncated_code} texts at {scorer.text_limit} tokens in (b)")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "seed": args.seed,
        "model": {"name": scorer.name, "version": scorer.version, "text_limit": scorer.text_limit},
        "machine": platform.platform(),
        "captions": captions,
        "caption_pool_minilm_centroids": centroids,
        "code": code,
        "code_without_doctests": code_plain,
        "code_texts_truncated": truncated_code,
    }
    args.out.write_text(json.dumps(result, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

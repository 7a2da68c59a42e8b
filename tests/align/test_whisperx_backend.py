"""The WhisperX backend keeps the aligner contract, on a tiny random wav2vec2 made here.

The model's weights are random, so these tests check the contract (one timing per word, in
order, inside the audio, scores in 0..1, a status and a reason for bad input), not accuracy.
Real WhisperX alignment runs only in the ``gpu`` test, on a machine that has it.
"""

import json
import logging
import os
import pickle
import sys
import types

import numpy as np
import pytest
import torch

from crosspair.align import AlignmentBackend, align_audio, available_backends, get_backend
from crosspair.align import whisperx_backend as wxb
from crosspair.align.normalize import flatten, normalize_transcript
from crosspair.align.result import STATUSES
from crosspair.align.whisperx_backend import WhisperXBackend, choose_backend

from .conftest import spoken

SENTENCE = "We moved from 12 to 3 offices."
VOCAB = ["<pad>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz'"]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    """A seeded 2-layer Wav2Vec2ForCTC with its tokenizer and feature extractor, saved locally."""
    from transformers import (
        Wav2Vec2Config,
        Wav2Vec2CTCTokenizer,
        Wav2Vec2FeatureExtractor,
        Wav2Vec2ForCTC,
        Wav2Vec2Processor,
    )

    path = tmp_path_factory.mktemp("tiny_wav2vec2")
    (path / "vocab.json").write_text(json.dumps({c: i for i, c in enumerate(VOCAB)}))
    tokenizer = Wav2Vec2CTCTokenizer(
        str(path / "vocab.json"), unk_token="<unk>", pad_token="<pad>", word_delimiter_token="|"
    )
    features = Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, do_normalize=True)
    config = Wav2Vec2Config(
        vocab_size=len(VOCAB),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        conv_dim=(16, 16, 16),
        conv_stride=(5, 4, 4),  # 80 samples: 5 ms frames
        conv_kernel=(10, 4, 4),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        pad_token_id=0,
    )
    torch.manual_seed(0)
    Wav2Vec2ForCTC(config).save_pretrained(path)
    Wav2Vec2Processor(feature_extractor=features, tokenizer=tokenizer).save_pretrained(path)
    return str(path)


@pytest.fixture(scope="module")
def aligner(model_dir):
    return WhisperXBackend(model_dir, device="cpu")


@pytest.fixture(scope="module")
def speech():
    audio, _ = spoken(SENTENCE)
    return audio


def _check_contract(result, words, duration):
    assert [w.word for w in result.words] == words
    assert result.status in STATUSES and isinstance(result.reason, str)
    times = [(w.start_s, w.end_s) for w in result.words if w.timed]
    assert all(0 <= s <= e <= duration for s, e in times)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(times, times[1:], strict=False))
    assert all(0.0 <= w.score <= 1.0 for w in result.words if w.score is not None)
    for phone in result.phones:
        word = result.words[phone.word_index]
        assert word.start_s <= phone.start_s <= phone.end_s <= word.end_s


def test_aligns_synthesised_speech_on_the_cpu(aligner, speech):
    words, _ = flatten(normalize_transcript(SENTENCE))
    assert "twelve" in words and "three" in words
    result = aligner.align(speech, words)
    _check_contract(result, words, len(speech) / 16000)
    assert result.coverage == 1.0 and result.status in ("ok", "low_score")
    assert result.phones and {p.phone for p in result.phones} <= set("abcdefghijklmnopqrstuvwxyz'")
    assert isinstance(aligner, AlignmentBackend)
    assert aligner.name == "whisperx" and aligner.version.startswith("ctc-transformers-")
    assert aligner.version.endswith("/" + os.path.basename(aligner.model_dir))


def test_frames_become_seconds_and_characters_become_phones(aligner, speech, monkeypatch):
    # emissions that say "go | to" at known frames (5 ms each): the path must land on them
    ids = {c: i for i, c in enumerate(VOCAB)}
    labels = ["<pad>"] * 10 + ["g"] * 4 + ["o"] * 6 + ["|"] * 4 + ["t"] * 3 + ["o"] * 5
    labels += ["<pad>"] * 8
    probs = np.full((len(labels), len(VOCAB)), 0.3 / (len(VOCAB) - 1))
    probs[np.arange(len(labels)), [ids[c] for c in labels]] = 0.7
    monkeypatch.setattr(aligner, "_log_probs", lambda samples: np.log(probs))

    result = aligner.align(speech[4800:8000], ["go", "to"])
    assert [(w.start_s, w.end_s) for w in result.words] == [(0.05, 0.1), (0.12, 0.16)]
    assert [w.score for w in result.words] == pytest.approx([0.7, 0.7])
    assert [(p.word_index, p.phone, p.start_s, p.end_s) for p in result.phones] == [
        (0, "g", 0.05, 0.07),
        (0, "o", 0.07, 0.1),
        (1, "t", 0.12, 0.135),
        (1, "o", 0.135, 0.16),
    ]
    assert result.status == "ok" and result.reason == ""


def test_a_word_without_vocabulary_characters_is_placed_between_neighbours(aligner, speech):
    words = ["we", "moved", "from", "12", "to", "3", "offices"]
    result = aligner.align(speech, words)
    _check_contract(result, words, len(speech) / 16000)
    assert all(w.timed for w in result.words)
    for index in (3, 5):
        assert result.words[index].score == 0.0
        assert result.words[index - 1].end_s <= result.words[index].start_s
    assert "'12'" in result.reason and "score 0" in result.reason


def test_characters_outside_the_vocabulary(aligner, speech):
    words = ["café", "日本", "offices"]
    result = aligner.align(speech, words)
    _check_contract(result, words, len(speech) / 16000)
    assert result.words[0].timed and result.words[0].score > 0
    assert result.words[1].score == 0.0
    assert "'é'" in result.reason and "'日本'" in result.reason

    nothing = aligner.align(speech, ["日本", "東京"])
    assert nothing.status == "failed" and not any(w.timed for w in nothing.words)
    assert "not in the vocabulary" in nothing.reason


def test_silence_and_empty_input(aligner):
    silence = aligner.align(np.zeros(32000, np.float32), ["hello", "world"])
    assert silence.status == "no_speech" and silence.coverage == 0.0 and silence.reason
    assert len(silence.words) == 2

    empty = aligner.align(np.zeros(32000, np.float32), [])
    assert empty.status == "empty_transcript" and empty.words == [] and empty.reason


def test_too_short_audio_and_noise_markers(aligner, speech):
    tiny = aligner.align(speech[:200], ["hello"])
    assert tiny.status == "failed" and "too short" in tiny.reason

    crowded = aligner.align(speech[4800:6400], ["offices"] * 40)  # 0.1 s of speech
    assert crowded.status == "failed" and "cannot hold" in crowded.reason
    assert len(crowded.words) == 40

    words = ["we", "<noise>", "moved"]
    result = aligner.align(speech, words)
    _check_contract(result, words, len(speech) / 16000)
    assert not result.words[1].timed and result.words[0].timed and result.words[2].timed
    assert aligner.align(speech, ["<noise>"]).status == "failed"

    broken = speech.copy()
    broken[100:200] = np.nan
    _check_contract(aligner.align(broken, ["we"]), ["we"], len(speech) / 16000)


def test_through_the_pipeline(aligner, speech):
    aligned = align_audio(speech, SENTENCE, backend=aligner)
    assert aligned.backend == "whisperx" and aligned.backend_version == aligner.version
    assert [w.word for w in aligned.result.words] == SENTENCE.split()
    assert all(w.timed for w in aligned.result.words)


def test_registry_and_pickling(model_dir):
    assert "whisperx" in available_backends()
    backend = get_backend("whisperx", model_dir=model_dir, device="cpu")
    copy = pickle.loads(pickle.dumps(backend))
    assert copy.version == backend.version and copy.model_dir == model_dir
    with pytest.raises(FileNotFoundError, match="config.json"):
        WhisperXBackend(os.path.join(model_dir, "missing"), device="cpu")


def test_choose_backend(model_dir, monkeypatch, caplog):
    monkeypatch.delenv(wxb.MODEL_DIR_ENV, raising=False)
    monkeypatch.setattr(wxb, "_cuda_available", lambda: False)
    with caplog.at_level(logging.INFO, logger=wxb.__name__):
        assert choose_backend("auto", model_dir).name == "pocketsphinx"
    assert "no CUDA device" in caplog.text

    forced = choose_backend("whisperx", model_dir)  # explicit: allowed on the CPU
    assert forced.name == "whisperx" and forced.device == "cpu"
    assert choose_backend("pocketsphinx").name == "pocketsphinx"
    with pytest.raises(ValueError, match=wxb.MODEL_DIR_ENV):
        choose_backend("whisperx")
    with pytest.raises(ValueError, match="unknown alignment backend"):
        choose_backend("nosuch")

    monkeypatch.setattr(wxb, "_cuda_available", lambda: True)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=wxb.__name__):
        assert choose_backend("auto", model_dir + "-missing").name == "pocketsphinx"
        assert "does not exist" in caplog.text
        # CUDA claimed but this torch has none: loading fails and auto still gives an aligner
        assert choose_backend("auto", model_dir).name == "pocketsphinx"
        assert "loading" in caplog.text
    monkeypatch.setattr(wxb, "_usable_device", lambda device: "cpu")
    monkeypatch.setenv(wxb.MODEL_DIR_ENV, model_dir)
    assert choose_backend("auto").name == "whisperx"


def _fake_whisperx(calls: dict) -> types.ModuleType:
    """A stand-in for the whisperx package: records its calls and answers like 3.8."""
    module = types.ModuleType("whisperx")

    def load_align_model(
        language_code, device, model_name=None, model_dir=None, model_cache_only=False
    ):
        from transformers import Wav2Vec2ForCTC

        calls["load"] = dict(
            language_code=language_code,
            device=device,
            model_name=model_name,
            model_dir=model_dir,
            model_cache_only=model_cache_only,
        )
        model = Wav2Vec2ForCTC.from_pretrained(model_name, local_files_only=True)
        return model, {"language": language_code, "dictionary": {}, "type": "huggingface"}

    def align(segments, model, metadata, audio, device, return_char_alignments=False):
        calls["align"] = dict(segments=segments, chars=return_char_alignments)
        chars = [
            {"char": "w", "start": 0.30, "end": 0.35, "score": 0.9},
            {"char": "e", "start": 0.35, "end": 0.42, "score": 0.8},
            {"char": " "},
            {"char": "1"},
            {"char": "2"},
            {"char": " "},
            {"char": "g", "start": 0.71, "end": 0.80, "score": 0.5},
            {"char": "o", "start": 0.80, "end": 0.95, "score": 0.7},
        ]
        words = [
            {"word": "we", "start": 0.30, "end": 0.42, "score": 0.85},
            {"word": "12"},  # no characters in the dictionary: whisperx leaves it untimed
            {"word": "go", "start": 0.71, "end": 0.95, "score": 0.6},
        ]
        segment = {"start": 0.30, "end": 0.95, "text": segments[0]["text"], "words": words}
        return {"segments": [{**segment, "chars": chars}], "word_segments": words}

    module.load_align_model = load_align_model
    module.align = align
    return module


def test_whisperx_path_maps_words_and_characters(model_dir, speech, monkeypatch):
    calls: dict = {}
    monkeypatch.setitem(sys.modules, "whisperx", _fake_whisperx(calls))
    monkeypatch.setattr(wxb, "_punkt_available", lambda: True)
    backend = WhisperXBackend(model_dir, device="cpu")
    assert backend.version.startswith("whisperx-")
    assert calls["load"]["model_name"] == model_dir and calls["load"]["model_cache_only"]

    words = ["we", "<noise>", "12", "go"]
    result = backend.align(speech, words)
    assert calls["align"]["segments"][0]["text"] == "we 12 go" and calls["align"]["chars"]
    _check_contract(result, words, len(speech) / 16000)
    we, noise, twelve, go = result.words
    assert (we.start_s, we.end_s, we.score) == (0.30, 0.42, 0.85)
    assert not noise.timed
    assert (twelve.start_s, twelve.end_s, twelve.score) == (0.42, 0.71, 0.0)
    assert (go.start_s, go.end_s, go.score) == (0.71, 0.95, 0.6)
    assert [(p.word_index, p.phone) for p in result.phones] == [
        (0, "w"),
        (0, "e"),
        (3, "g"),
        (3, "o"),
    ]
    assert "'12'" in result.reason


def test_whisperx_without_punkt_data_uses_the_builtin_path(model_dir, monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "whisperx", _fake_whisperx({}))
    monkeypatch.setattr(wxb, "_punkt_available", lambda: False)
    with caplog.at_level(logging.WARNING, logger=wxb.__name__):
        backend = WhisperXBackend(model_dir, device="cpu")
    assert backend.version.startswith("ctc-transformers-") and "punkt_tab" in caplog.text


def _why_no_real_whisperx() -> str | None:
    if not torch.cuda.is_available():
        return "no CUDA device"
    if not os.path.isdir(os.environ.get(wxb.MODEL_DIR_ENV, "")):
        return f"{wxb.MODEL_DIR_ENV} does not point at a local wav2vec2 model directory"
    if wxb._import_whisperx() is None:
        return "whisperx is not installed (pip install crosspair[whisperx], torch 2.8 + CUDA)"
    return None


@pytest.mark.gpu
@pytest.mark.skipif(_why_no_real_whisperx() is not None, reason=str(_why_no_real_whisperx()))
def test_real_whisperx_alignment_on_cuda(speech):
    backend = WhisperXBackend(os.environ[wxb.MODEL_DIR_ENV], device="cuda")
    assert backend.version.startswith("whisperx-"), "NLTK punkt_tab data must be installed"
    words, _ = flatten(normalize_transcript(SENTENCE))
    result = backend.align(speech, words)
    _check_contract(result, words, len(speech) / 16000)
    assert result.coverage == 1.0 and result.status == "ok"
    truth = spoken(SENTENCE)[1]
    starts = [w.start_s for w in result.words]
    assert abs(starts[0] - truth[0].start_s) < 0.1

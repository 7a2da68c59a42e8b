"""The WhisperX backend: wav2vec2 CTC alignment from a LOCAL Hugging Face model directory.

The directory holds a fine-tuned ``Wav2Vec2ForCTC`` (config.json, weights, vocab.json and the
tokenizer / feature-extractor configs), e.g. a copy of facebook/wav2vec2-base-960h. Nothing is
ever downloaded: the model loads with ``local_files_only``, and when NLTK's punkt_tab data
(which ``whisperx.align`` would fetch) is missing, the built-in path is used instead.

Which path runs:

- ``whisperx`` importable and punkt_tab installed: ``whisperx.load_align_model`` loads the
  directory and ``whisperx.align`` times one segment spanning the whole audio; its words and
  characters (as phones) are mapped back to the input words. Real WhisperX runs need
  ``pip install crosspair[whisperx]`` in a torch-2.8 CUDA environment (whisperx 3.8.6 pins
  torch and torchaudio ~2.8, which this project's torch 2.13 cannot share).
- otherwise (the default here): ``transformers`` loads the same directory, the model gives
  frame log-probabilities, and ``ctc`` finds the forced path; character spans merge into words,
  scored by the mean frame probability of the word's characters. ``version`` says which ran.

Either way, a word with no character in the model's vocabulary ("12" if it reached the
backend unspelt) is placed between its neighbours with score 0 and a reason, and ``NOISE``
words stay untimed. ``choose_backend`` picks WhisperX or pocketsphinx from the configuration.

>>> backend = WhisperXBackend("/models/wav2vec2-base-960h", device="cuda")  # doctest: +SKIP
>>> backend.align(audio, ["we", "moved", "from", "twelve"]).words[3]       # doctest: +SKIP
"""

from __future__ import annotations

import inspect
import logging
import math
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from crosspair.align.backend import (
    NOISE,
    SAMPLE_RATE,
    SILENT_PEAK,
    AlignmentBackend,
    get_backend,
)
from crosspair.align.ctc import align_path, frames_needed, group_spans, token_spans
from crosspair.align.result import (
    EMPTY_TRANSCRIPT,
    FAILED,
    LOW_SCORE,
    LOW_SCORE_THRESHOLD,
    NO_SPEECH,
    OK,
    AlignmentResult,
    PhoneTiming,
    WordTiming,
    untimed,
)

log = logging.getLogger(__name__)

MODEL_DIR_ENV = "CROSSPAIR_WHISPERX_MODEL_DIR"
MIN_SAMPLES = 400  # wav2vec2's receptive field: shorter audio gives no frame
WAV2VEC2_STRIDES = (5, 2, 2, 2, 2, 2, 2)  # 20 ms frames, for a model that does not say

Timings = dict[int, tuple[float, float, float | None]]  # word index -> start, end, score


class WhisperXBackend:
    """Forced alignment with a local wav2vec2 CTC model, through WhisperX when it is installed.

    ``device`` falls back to the CPU (with a warning) when CUDA is missing; ``language`` is
    passed to WhisperX; ``phones`` asks for character timings (returned as phones).
    """

    name = "whisperx"

    def __init__(
        self, model_dir: str, device: str = "cuda", language: str = "en", phones: bool = True
    ) -> None:
        path = Path(model_dir).expanduser()
        if not (path / "config.json").is_file():
            raise FileNotFoundError(
                f"no alignment model in {path}: expected a Hugging Face Wav2Vec2ForCTC directory "
                f"(config.json, weights, vocab.json); pass model_dir or set {MODEL_DIR_ENV}"
            )
        self.model_dir, self.language, self.phones = str(path), language, phones
        self.device = _usable_device(device)
        self._load()

    def __getstate__(self) -> dict:
        # a copy in another process loads the model again
        return {k: getattr(self, k) for k in ("model_dir", "device", "language", "phones")}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def _load(self) -> None:
        from transformers import Wav2Vec2CTCTokenizer, Wav2Vec2FeatureExtractor

        tokenizer = Wav2Vec2CTCTokenizer.from_pretrained(self.model_dir, local_files_only=True)
        vocab = tokenizer.get_vocab()
        # upper-case vocabularies (wav2vec2-base-960h) serve lower-case words
        self._vocab = {
            c.lower(): i for c, i in vocab.items() if c == c.lower() or c.lower() not in vocab
        }
        self._blank = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self._separator = vocab.get(tokenizer.word_delimiter_token or "|")
        try:
            features = Wav2Vec2FeatureExtractor.from_pretrained(
                self.model_dir, local_files_only=True
            )
            self._normalize = bool(features.do_normalize)
        except OSError:
            self._normalize = True  # the feature extractor's default

        whisperx = _import_whisperx()
        self._whisperx = whisperx if whisperx is not None and _punkt_available() else None
        if whisperx is not None and self._whisperx is None:
            log.warning(
                "whisperx is installed but NLTK punkt_tab data is not, and whisperx.align would "
                "download it; using the built-in CTC path (`python -m nltk.downloader punkt_tab`)"
            )
        model_name = Path(self.model_dir).name
        if self._whisperx is not None:
            self._model, self._metadata = _load_with_whisperx(
                self._whisperx, self.model_dir, self.language, self.device
            )
            self.version = f"whisperx-{_package_version('whisperx')}/{model_name}"
        else:
            from transformers import Wav2Vec2ForCTC

            model = Wav2Vec2ForCTC.from_pretrained(self.model_dir, local_files_only=True)
            self._model = model.to(self.device).eval()
            self.version = f"ctc-transformers-{_package_version('transformers')}/{model_name}"
        config = getattr(self._model, "config", None)
        self._stride = math.prod(getattr(config, "conv_stride", WAV2VEC2_STRIDES))
        log.info("alignment model %s loaded on %s (%s)", self.model_dir, self.device, self.version)

    def align(self, audio: np.ndarray, words: list[str]) -> AlignmentResult:
        """Time ``words`` in 16 kHz mono ``audio``; see ``AlignmentBackend``."""
        samples = np.nan_to_num(np.asarray(audio, dtype=np.float32).reshape(-1))
        if not words:
            return untimed([], EMPTY_TRANSCRIPT, "no words to align")
        if len(samples) < MIN_SAMPLES:
            return untimed(words, FAILED, f"audio too short to align ({len(samples)} samples)")
        if float(np.abs(samples).max()) < SILENT_PEAK:
            return untimed(words, NO_SPEECH, "the audio is silent")
        targets = [i for i, w in enumerate(words) if w != NOISE]
        if not targets:
            return untimed(words, FAILED, "only noise markers: nothing to time")

        try:
            if self._whisperx is not None:
                found = self._align_whisperx(samples, words, targets)
            else:
                found = self._align_ctc(samples, words, targets)
        except Exception as err:  # the contract: report a failure, never raise it
            log.warning("alignment with %s failed: %s", self.version, err)
            return untimed(words, FAILED, f"{self.version} failed: {err}")
        return _finish(words, *found, len(samples) / SAMPLE_RATE)

    def _log_probs(self, samples: np.ndarray) -> np.ndarray:
        import torch

        if self._normalize:
            samples = (samples - samples.mean()) / np.sqrt(samples.var() + 1e-7)
        with torch.inference_mode():
            inputs = torch.from_numpy(np.ascontiguousarray(samples))[None].to(self.device)
            logits = self._model(inputs).logits
            return torch.log_softmax(logits.float(), dim=-1)[0].cpu().numpy()

    def _align_ctc(self, samples, words, targets) -> tuple[Timings, list[PhoneTiming], list]:
        """Timings from the built-in CTC path (characters are the phones)."""
        skip = {self._blank, self._separator}
        tokens, owners, chars, notes = [], [], [], []
        for i in targets:
            known = [c for c in words[i] if self._vocab.get(c) not in (None, *skip)]
            if len(known) < len(words[i]):
                unknown = "".join(sorted(set(words[i]) - set(known)))
                notes.append(f"characters {unknown!r} of {words[i]!r} are not in the vocabulary")
            if not known:
                continue
            if tokens and self._separator is not None:
                tokens.append(self._separator)
                owners.append(-1)
                chars.append("|")
            tokens += [self._vocab[c] for c in known]
            owners += [i] * len(known)
            chars += known
        if not tokens:
            return {}, [], notes

        log_probs = self._log_probs(samples)
        path = align_path(log_probs, tokens, self._blank)
        if path is None:
            notes.append(
                f"{len(log_probs)} frames cannot hold {frames_needed(tokens)} characters: "
                "audio too short or the transcript too long"
            )
            return {}, [], notes
        spans = token_spans(path, log_probs, tokens)
        step = self._stride / SAMPLE_RATE
        timings: Timings = {}
        for i, span in enumerate(group_spans(spans, owners, len(words))):
            if span is not None:
                timings[i] = (span.start * step, span.end * step, span.score)
        phones = [
            PhoneTiming(owner, char, span.start * step, span.end * step, span.score)
            for span, owner, char in zip(spans, owners, chars, strict=True)
            if owner >= 0
        ]
        return timings, phones, notes

    def _align_whisperx(self, samples, words, targets) -> tuple[Timings, list[PhoneTiming], list]:
        """Timings from ``whisperx.align`` over one segment that spans the audio."""
        segment = {"start": 0.0, "end": len(samples) / SAMPLE_RATE}
        segment["text"] = " ".join(words[i] for i in targets)
        aligned = self._whisperx.align(
            [segment],
            self._model,
            self._metadata,
            samples,
            self.device,
            return_char_alignments=self.phones,
        )
        return from_whisperx(aligned, words, targets)


def from_whisperx(aligned: dict, words: list[str], targets: list[int]):
    """(timings, phones, notes) from ``whisperx.align`` output, matched to ``words`` by text.

    WhisperX drops or reorders nothing on purpose, but it may leave a word without times or
    split the text into sentences; matching in order by text keeps each time on its word.
    """
    timings: Timings = {}
    for index, item in _match(aligned.get("word_segments", []), words, targets, "word"):
        start, end, score = (_number(item.get(k)) for k in ("start", "end", "score"))
        if start is not None and end is not None:
            timings[index] = (start, end, None if score is None else min(max(score, 0.0), 1.0))

    runs: list[list[dict]] = []  # characters between spaces (and segment edges): one word
    for segment in aligned.get("segments", []):
        run: list[dict] = []
        for char in [*(segment.get("chars") or []), {"char": " "}]:
            if str(char.get("char", "")).strip():
                run.append(char)
            elif run:
                runs.append(run)
                run = []
    by_text = [{"text": "".join(str(c["char"]) for c in r), "chars": r} for r in runs]
    phones = []
    for index, item in _match(by_text, words, targets, "text"):
        for char in item["chars"]:
            start, end, score = (_number(char.get(k)) for k in ("start", "end", "score"))
            if start is not None and end is not None:
                phones.append(PhoneTiming(index, str(char["char"]), start, end, score))
    return timings, phones, []


def _match(items: list[dict], words: list[str], targets: list[int], key: str):
    """(word index, item) for items whose ``key`` text equals the next expected word."""
    position = 0
    for item in items:
        text = str(item.get(key, "")).strip().lower()
        for k in range(position, len(targets)):
            if words[targets[k]] == text:
                yield targets[k], item
                position = k + 1
                break


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _finish(words, timings: Timings, phones, notes, duration: float) -> AlignmentResult:
    """Monotonic, clipped timings for every word; untimed words placed between neighbours."""
    if not timings:
        reason = "; ".join(dict.fromkeys(notes)) or "no word could be timed"
        return untimed(words, FAILED, reason)

    spans: dict[int, list] = {}
    cursor = 0.0
    for i in sorted(timings):
        start, end, score = timings[i]
        start = min(max(start, cursor), duration)
        cursor = min(max(end, start), duration)
        spans[i] = [start, cursor, score]

    order = [i for i, w in enumerate(words) if w != NOISE]
    runs: list[list[int]] = []  # runs of consecutive untimed words, as positions in order
    for k, i in enumerate(order):
        if i in spans:
            continue
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    for run in runs:
        left = spans[order[run[0] - 1]][1] if run[0] > 0 else 0.0
        right = spans[order[run[-1] + 1]][0] if run[-1] + 1 < len(order) else duration
        width = max(right - left, 0.0) / len(run)
        for n, k in enumerate(run):
            spans[order[k]] = [left + n * width, left + (n + 1) * width, 0.0]
        said = " ".join(words[order[k]] for k in run)
        notes.append(f"no timing for {said!r}: placed between its neighbours, score 0")

    result = [
        WordTiming(w, round(spans[i][0], 4), round(spans[i][1], 4), spans[i][2])
        if i in spans
        else WordTiming(w)
        for i, w in enumerate(words)
    ]
    kept = []
    for p in phones:
        word = result[p.word_index]
        start = min(max(round(p.start_s, 4), word.start_s), word.end_s)
        end = min(max(round(p.end_s, 4), start), word.end_s)
        kept.append(PhoneTiming(p.word_index, p.phone, start, end, p.score))
    aligned = AlignmentResult(result, kept)
    score = aligned.mean_score
    status = LOW_SCORE if score is not None and score < LOW_SCORE_THRESHOLD else OK
    return AlignmentResult(result, kept, status, "; ".join(dict.fromkeys(notes)))


def choose_backend(
    preferred: str = "auto", whisperx_model_dir: str | None = None
) -> AlignmentBackend:
    """The aligner the configuration asks for.

    ``auto`` takes WhisperX only with a CUDA device and an existing model directory
    (``whisperx_model_dir``, else ``$CROSSPAIR_WHISPERX_MODEL_DIR``), otherwise pocketsphinx,
    and logs why. Any other name forces that backend; ``whisperx`` then runs on the CPU when
    there is no CUDA device.
    """
    model_dir = whisperx_model_dir or os.environ.get(MODEL_DIR_ENV) or None
    if preferred == "auto":
        why = _why_not_whisperx(model_dir)
        if why is None:
            try:
                return get_backend("whisperx", model_dir=model_dir, device="cuda")
            except Exception as err:  # auto must still give an aligner
                why = f"loading {model_dir} failed: {err}"
        log.info("alignment backend: pocketsphinx (%s)", why)
        return get_backend("pocketsphinx")
    if preferred == "whisperx":
        if not model_dir:
            raise ValueError(
                "backend 'whisperx' needs a local wav2vec2 model directory: pass "
                f"whisperx_model_dir or set {MODEL_DIR_ENV}"
            )
        device = "cuda" if _cuda_available() else "cpu"
        return get_backend("whisperx", model_dir=model_dir, device=device)
    return get_backend(preferred)


def _why_not_whisperx(model_dir: str | None) -> str | None:
    if not _cuda_available():
        return "no CUDA device"
    if not model_dir:
        return f"no WhisperX model directory configured ({MODEL_DIR_ENV})"
    if not Path(model_dir).expanduser().is_dir():
        return f"WhisperX model directory {model_dir} does not exist"
    return None


def _cuda_available() -> bool:
    import torch

    return torch.cuda.is_available()


def _usable_device(device: str) -> str:
    if device.startswith("cuda") and not _cuda_available():
        log.warning("device %s requested but CUDA is not available: aligning on the CPU", device)
        return "cpu"
    return device


def _import_whisperx():
    try:
        import whisperx
    except ImportError:
        return None
    except (OSError, RuntimeError) as err:  # e.g. a torchaudio built for another torch
        log.warning("whisperx is installed but does not import (%s): built-in CTC path", err)
        return None
    return whisperx


def _punkt_available() -> bool:
    """True when NLTK's punkt_tab data is installed (whisperx.align downloads it otherwise)."""
    try:
        import nltk

        nltk.data.find("tokenizers/punkt_tab")
    except (ImportError, LookupError):
        return False
    return True


def _load_with_whisperx(whisperx, model_dir: str, language: str, device: str):
    """(model, metadata) from ``whisperx.load_align_model`` for a local directory."""
    options = {"language_code": language, "device": device, "model_name": model_dir}
    if "model_cache_only" in inspect.signature(whisperx.load_align_model).parameters:
        options["model_cache_only"] = True  # never reach for the hub
    return whisperx.load_align_model(**options)


def _package_version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"

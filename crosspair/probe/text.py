"""Text probe: normalised captions, transcripts, descriptions, docstrings and subtitle files.

Manifest texts are stored normalised (Unicode NFC, every whitespace run, newlines included,
made one space, ends stripped; emoji and other symbols kept), and their size and sha256 are of
that normalised text, so two records that differ only in spacing are the same text. A
subtitle file becomes one text, its cues joined, hashed as the file it is.
"""

from __future__ import annotations

import logging
import unicodedata

from crosspair.ids import sha256_text
from crosspair.items import Candidate, Rejected, catalog_base
from crosspair.probe.files import file_base
from crosspair.probe.limits import ProbeLimits
from crosspair.probe.subtitles import SubtitleError, parse_srt
from crosspair.sources import TEXT_KINDS
from crosspair.weak.config import HTML_TEXT_KINDS

KINDS = (*TEXT_KINDS, "subtitles", *HTML_TEXT_KINDS)

log = logging.getLogger(__name__)


def normalise_text(raw: str) -> str:
    """NFC, control characters dropped, whitespace runs to one space, ends stripped.

    A text made only of invisible characters (zero-width spaces, joiners, byte-order marks)
    normalises to "" so it is rejected as empty; inside visible text they stay, since emoji
    sequences need the zero-width joiner.
    """
    text = unicodedata.normalize("NFC", raw)
    text = "".join(ch for ch in text if ch.isspace() or unicodedata.category(ch) != "Cc")
    text = " ".join(text.split())
    if all(unicodedata.category(ch) in ("Cf", "Zs") for ch in text):
        return ""
    return text


def probe_text(candidate: Candidate, limits: ProbeLimits) -> dict:
    """Catalog row of a manifest text or, with ``abs_path`` set, of an SRT subtitle file."""
    payload = candidate.payload
    if candidate.abs_path is not None:
        text = _subtitle_text(candidate.abs_path)
        base = file_base(candidate)
        kind = payload.get("kind") or "subtitles"
    else:
        raw = payload.get("text")
        if not isinstance(raw, str):
            raise Rejected("invalid_record", f"text must be a string, got {type(raw).__name__}")
        text = normalise_text(raw)
        if not text:
            raise Rejected("empty_text", f"nothing is left of {raw!r} after normalising")
        base = catalog_base(candidate, len(text.encode("utf-8")), sha256_text(text))
        kind = payload.get("kind")
    if kind not in KINDS:
        raise Rejected("invalid_record", f"text kind {kind!r} is not one of {KINDS}")
    row = {
        "kind": kind,
        "anchor": str(payload.get("anchor") or ""),
        "text": text,
        "n_chars": len(text),  # code points, so an emoji of several code points counts several
        "n_words": len(text.split(" ")),  # space-separated tokens: an unspaced script is one
        "language": str(payload.get("language") or ""),
    }
    return {**base, **row}


def _subtitle_text(path: str) -> str:
    """The cue texts of an SRT file joined by spaces, normalised; ``empty_text`` if none."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        document = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Rejected("corrupt", f"subtitles are not UTF-8 ({exc}); re-encode as UTF-8") from exc
    try:
        cues = parse_srt(document)
    except SubtitleError as exc:
        raise Rejected("corrupt", f"not a SubRip file: {exc}") from exc
    text = normalise_text(" ".join(cue.text for cue in cues))
    if not text:
        raise Rejected("empty_text", f"{len(cues)} cue(s) and no text in them")
    log.debug("subtitles %s: %d cues, %d characters", path, len(cues), len(text))
    return text

"""Text probe: normalised manifest texts and whole subtitle files."""

from __future__ import annotations

import json

from crosspair.ids import sha256_file, sha256_text
from crosspair.probe import probe
from crosspair.probe.text import normalise_text

from .conftest import check_reject, check_row, make_candidate

SUBTITLES = {"kind": "subtitles", "anchor": "", "language": ""}


def _caption(text, kind="caption", anchor="images/x.jpg", language="en"):
    payload = {"text": text, "kind": kind, "anchor": anchor, "language": language}
    return make_candidate("text", None, payload, path="captions.jsonl", record_key="x#0")


def test_caption_with_emoji_and_newline_is_normalised_and_keeps_the_emoji():
    row, reject = probe(_caption("  A dog 🐶 rides\na  skateboard 🛹 \n"))
    assert reject is None
    check_row("text", row)
    assert row["text"] == "A dog 🐶 rides a skateboard 🛹"
    assert (row["n_chars"], row["n_words"]) == (28, 7)
    assert row["size_bytes"] == len(row["text"].encode("utf-8")) == 34
    assert row["sha256"] == sha256_text("A dog 🐶 rides a skateboard 🛹")
    assert (row["kind"], row["anchor"], row["language"]) == ("caption", "images/x.jpg", "en")


def test_decomposed_accents_become_nfc():
    row = check_row("text", probe(_caption("Cafe\u0301\u00a0au\tlait"))[0])
    assert row["text"] == "Caf\u00e9 au lait"
    assert row["n_chars"] == 12


def test_empty_and_whitespace_captions_are_empty_text():
    for raw in ("", "  \n\t \u3000"):
        row, reject = probe(_caption(raw))
        assert row is None
        check_reject(reject, "empty_text")


def test_non_string_text_is_invalid_record():
    check_reject(probe(_caption(None))[1], "invalid_record")


def test_real_coco_captions_with_embedded_newline_and_double_space(data):
    lines = (data / "image_text" / "captions.jsonl").read_text("utf-8").splitlines()
    record = next(json.loads(line) for line in lines if "000000359219" in line)
    texts = [check_row("text", probe(_caption(c))[0])["text"] for c in record["captions"]]
    assert texts[0] == "Two pizzas sitting in pie pans on top of a stove."
    assert texts[1] == "Two pizza pies sitting atop a stove getting ready to be cut ."


def test_mandarin_transcript_without_spaces_is_one_word(data):
    lines = (data / "speech_text" / "transcripts.jsonl").read_text("utf-8").splitlines()
    record = next(json.loads(line) for line in lines if "aishell" in line)
    row = check_row("text", probe(_caption(record["text"], kind="transcript"))[0])
    assert row["n_words"] == 1
    assert row["n_chars"] == len(record["text"].strip())


def test_popeye_subtitle_file_is_one_text_hashed_as_a_file(data):
    path = data / "video_audio" / "popeye_T00-1.eng.srt"
    row = check_row("text", probe(make_candidate("text", path, SUBTITLES))[0])
    assert row["kind"] == "subtitles"
    assert row["text"].startswith("[squawk] [squawk] Oh! Oh! W-What happened?")
    assert row["text"].endswith("Look at that fellow go")
    assert "\ufeff" not in row["text"]
    assert row["size_bytes"] == path.stat().st_size
    assert row["sha256"] == sha256_file(path)


def test_nasa_subtitles_keep_the_curly_apostrophe(data):
    path = data / "video_audio" / "nasa_13013.subtitles.srt"
    row = check_row("text", probe(make_candidate("text", path, SUBTITLES))[0])
    assert row["text"].startswith("NAR: This is the optical and science segment")
    assert "NASA\u2019s Goddard" in row["text"]
    assert (row["n_words"], row["n_chars"]) == (38, 230)


def test_prose_in_an_srt_file_is_corrupt(tmp_path):
    path = tmp_path / "notes.srt"
    path.write_text("these are my notes\nnot subtitles\n", encoding="utf-8")
    check_reject(probe(make_candidate("text", path, SUBTITLES))[1], "corrupt")


def test_latin1_srt_is_corrupt_with_the_way_out(tmp_path):
    path = tmp_path / "old.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9\n".encode("latin-1"))
    detail = check_reject(probe(make_candidate("text", path, SUBTITLES))[1], "corrupt")["detail"]
    assert "re-encode as UTF-8" in detail


def test_srt_with_cues_but_no_words_is_empty_text(tmp_path):
    path = tmp_path / "silent.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\n")
    check_reject(probe(make_candidate("text", path, SUBTITLES))[1], "empty_text")


def test_normalise_text_is_idempotent():
    once = normalise_text(" a\u2028b\r\n  c ")
    assert once == "a b c" == normalise_text(once)


def test_unknown_text_kind_is_invalid_record():
    check_reject(probe(_caption("a cat", kind="tweet"))[1], "invalid_record")

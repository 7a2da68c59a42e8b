"""The SubRip reader on the real subtitle files and on edge cases of the format."""

from __future__ import annotations

import pytest

from crosspair.probe.subtitles import Cue, SubtitleError, parse_srt


def test_popeye_srt_with_byte_order_mark(data):
    text = (data / "video_audio" / "popeye_T00-1.eng.srt").read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    cues = parse_srt(text)
    assert len(cues) == 15
    assert cues[0] == Cue(12.4, 13.7, "[squawk]")
    assert cues[-1] == Cue(59.036, 61.036, "Look at that fellow go")


def test_nasa_cues_run_past_the_video_end(data):
    cues = parse_srt((data / "video_audio" / "nasa_13013.subtitles.srt").read_text("utf-8"))
    assert len(cues) == 4
    assert cues[-1].end_s == pytest.approx(16.57)  # the clip itself ends at 13.056 s


def test_crlf_missing_index_dot_millis_and_position_suffix():
    text = "00:00:01.5 --> 00:00:02,500 X1:10 X2:20\r\nno index\r\n\r\n"
    assert parse_srt(text) == [Cue(1.5, 2.5, "no index")]


def test_blank_line_inside_a_cue_continues_its_text():
    text = (
        "1\n00:00:01,000 --> 00:00:02,000\nfirst\n\nsecond\n\n2\n00:00:03,000 --> 00:00:04,000\nx\n"
    )
    cues = parse_srt(text)
    assert [c.text for c in cues] == ["first\nsecond", "x"]


def test_empty_document_has_no_cues():
    assert parse_srt("\n\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "just some prose\n",
        "1\n00:00:01 --> 00:00:02\nno milliseconds\n",
        "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\n00:00:0x,000 --> 00:00:09,000\nbad time\n",
    ],
)
def test_text_that_is_not_srt_raises(text):
    with pytest.raises(SubtitleError):
        parse_srt(text)

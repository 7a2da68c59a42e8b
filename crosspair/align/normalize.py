"""From a raw transcript to the words an aligner needs, keeping the way back to each token.

A token is one whitespace-separated piece of the original text. Each becomes zero or more
spoken words: plain words are lower-cased and stripped of outer punctuation, numbers and
symbols are read out (``verbalize``), hyphenated compounds are split, and markers of non-speech
sounds (``<VOCNOISE>``, ``[noise]``, ``{laugh}``) become one ``NOISE`` word that aligners may
absorb but never time. Bare punctuation ("-", "...") says nothing and is dropped.

>>> [" ".join(t.words) for t in normalize_transcript("On 15.09.2021, Mr Smith paid $5!")]
['on', 'the fifteenth of september twenty twenty one', 'mister', 'smith', 'paid', 'five dollars']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from crosspair.align.backend import NOISE
from crosspair.align.verbalize import SYMBOLS, literal, verbalize

_MARKER = re.compile(r"^[\[<{(].*[\]>})]$")
_OUTER_PUNCT = re.compile(r"^[^\w$€£&%+=@#]+|[^\w%]+$")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


@dataclass(frozen=True)
class Token:
    """One original token and the spoken words it stands for (``[NOISE]`` for a marker)."""

    index: int
    text: str
    words: tuple[str, ...]
    alternative: tuple[str, ...] = ()  # another reading to try if ``words`` do not fit

    @property
    def is_noise(self) -> bool:
        return self.words == (NOISE,)

    @property
    def is_spoken(self) -> bool:
        """True for tokens that should get a timing: they say at least one word."""
        return bool(self.words) and not self.is_noise


def spoken_words(token: str) -> list[str]:
    """The words said for one token ([] for punctuation, ``[NOISE]`` for a sound marker)."""
    token = unicodedata.normalize("NFKC", token).translate(_QUOTES)
    if _MARKER.match(token):
        return [NOISE]
    if token in SYMBOLS:
        return [SYMBOLS[token]]
    core = _OUTER_PUNCT.sub("", token)
    if not core:
        return []
    words: list[str] = []
    for part in re.split(r"[-\u2013\u2014/]+", core):
        part = part.strip("'\".,;:!?")
        if not part:
            continue
        spoken = verbalize(part)
        if spoken is None:
            spoken = re.findall(r"[^\W_]+(?:'[^\W_]+)*", part.lower())
        words += [w.lower() for w in spoken]
    return words


def alternative_words(token: str, words: list[str]) -> tuple[str, ...]:
    """The literal reading of a number-like token, when it differs from ``words``."""
    core = _OUTER_PUNCT.sub("", unicodedata.normalize("NFKC", token))
    other = literal(core) if words and words != [NOISE] else None
    return tuple(other) if other and other != words else ()


def normalize_transcript(text: str) -> list[Token]:
    """Every whitespace token of ``text`` with its spoken words (some may have none)."""
    tokens = []
    for index, raw in enumerate(text.split()):
        words = spoken_words(raw)
        tokens.append(Token(index, raw, tuple(words), alternative_words(raw, words)))
    return tokens


def flatten(tokens: list[Token], alternative: bool = False) -> tuple[list[str], list[int]]:
    """The aligner's word list and, for each word, the index of the token it came from.

    With ``alternative``, tokens that have a second reading use it.
    """
    words: list[str] = []
    owners: list[int] = []
    for token in tokens:
        reading = token.alternative if alternative and token.alternative else token.words
        for word in reading:
            words.append(word)
            owners.append(token.index)
    return words, owners

"""Labelling rules: small named functions that vote keep, drop or abstain on a candidate.

A rule reads one (image, text) candidate and the source's settings and returns ``KEEP``,
``DROP`` or ``ABSTAIN``. Rules live in a registry, in registration order; each has a weight
(how much its vote counts) and may be a veto (its drop decides alone). Add your own:

>>> @labelling_rule("mentions_weather", weight=0.5)      # doctest: +SKIP
... def mentions_weather(candidate, settings):
...     return KEEP if "rain" in candidate.text.lower() else ABSTAIN

Its votes then appear as column ``vote_mentions_weather`` of ``weak_label_votes``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from crosspair.weak import signals
from crosspair.weak.config import HtmlPages

KEEP, DROP, ABSTAIN = "keep", "drop", "abstain"
VOTES = (KEEP, DROP, ABSTAIN)

_RULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class WeakCandidate:
    """What a rule sees: the text, its kind, and the image and page it came from."""

    kind: str  # alt_text, figcaption or paragraph
    text: str
    image_path: str = ""  # relative to the source root
    alt: str = ""  # the image's alt text ("" when none), for rules on other kinds
    page: str = ""


@dataclass(frozen=True)
class LabelSettings:
    """The thresholds of one source (its ``html`` block)."""

    threshold: float = 0.6
    min_words: int = 3
    descriptive_words: int = 4

    @classmethod
    def from_html(cls, html: HtmlPages | None) -> LabelSettings:
        if html is None:
            return cls()
        return cls(html.threshold, html.min_words, html.descriptive_words)


Vote = Callable[[WeakCandidate, LabelSettings], str]


@dataclass(frozen=True)
class Rule:
    name: str
    vote: Vote
    weight: float = 1.0
    veto: bool = False  # a drop vote drops the candidate whatever the other rules say
    description: str = ""


RULES: dict[str, Rule] = {}


def labelling_rule(name: str, *, weight: float = 1.0, veto: bool = False):
    """Register the decorated function as a rule (``RULES.pop(name)`` takes it out again)."""
    if not _RULE_NAME.match(name):
        raise ValueError(f"rule name {name!r}: use lower case letters, digits and '_'")
    if weight <= 0:
        raise ValueError(f"rule {name!r}: weight must be positive, got {weight}")

    def register(function: Vote) -> Vote:
        if name in RULES:
            raise ValueError(f"a labelling rule named {name!r} is already registered")
        doc = (function.__doc__ or "").strip().splitlines()
        RULES[name] = Rule(name, function, float(weight), veto, doc[0] if doc else "")
        return function

    return register


def registered_rules() -> list[Rule]:
    """The registry's rules in registration order."""
    return list(RULES.values())


# -- drop rules -----------------------------------------------------------------------------


@labelling_rule("empty_text", weight=1.0, veto=True)
def empty_text(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """No text at all (alt="" marks a decorative image): nothing to pair with."""
    return DROP if not candidate.text.strip() else ABSTAIN


@labelling_rule("boilerplate", weight=2.0)
def boilerplate(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """Text that only says there is an image ("logo", "photo of", "click here")."""
    return DROP if candidate.text and signals.is_boilerplate(candidate.text) else ABSTAIN


@labelling_rule("file_name", weight=2.0)
def file_name(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """Text that is a file name ("IMG_1234.jpg", "DSC0001") or the image's own name."""
    hit = candidate.text and signals.is_file_name(candidate.text, candidate.image_path)
    return DROP if hit else ABSTAIN


@labelling_rule("too_short", weight=1.0)
def too_short(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """Fewer than ``min_words`` words (but some)."""
    count = len(signals.words(candidate.text))
    return DROP if 0 < count < settings.min_words else ABSTAIN


@labelling_rule("not_language", weight=2.0)
def not_language(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """A URL, mostly non-letters, or mostly tokens that are not words ("x7f9 qzkt")."""
    text = candidate.text
    if not text.strip():
        return ABSTAIN
    if signals.has_url(text) or signals.letter_share(text) < 0.5:
        return DROP
    return DROP if signals.wordlike_share(text) < 0.5 else ABSTAIN


# -- keep rules -----------------------------------------------------------------------------


@labelling_rule("figcaption", weight=2.0)
def figcaption(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """The author captioned the figure holding the image."""
    has_words = bool(signals.words(candidate.text))
    return KEEP if candidate.kind == "figcaption" and has_words else ABSTAIN


@labelling_rule("descriptive_alt", weight=1.0)
def descriptive_alt(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """Alt text of ``descriptive_words`` words or more, two of them content words."""
    if candidate.kind != "alt_text":
        return ABSTAIN
    long_enough = len(signals.words(candidate.text)) >= settings.descriptive_words
    return KEEP if long_enough and len(signals.content_words(candidate.text)) >= 2 else ABSTAIN


@labelling_rule("paragraph_mentions", weight=1.0)
def paragraph_mentions(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """A paragraph naming a content word of the image's alt text or file name."""
    if candidate.kind != "paragraph":
        return ABSTAIN
    keys = signals.mention_keys(candidate.alt) | {
        signals.stem(word) for word in signals.file_name_words(candidate.image_path)
    }
    return KEEP if keys & signals.mention_keys(candidate.text) else ABSTAIN


# -- rules added later: the registry's order is the order of the vote columns ---------------


@labelling_rule("garbled_text", weight=2.0)
def garbled_text(candidate: WeakCandidate, settings: LabelSettings) -> str:
    """Text holding U+FFFD: bytes of its page that did not fit the page's charset."""
    return DROP if signals.REPLACEMENT_CHARACTER in candidate.text else ABSTAIN

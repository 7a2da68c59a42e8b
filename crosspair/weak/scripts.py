"""Letters of every script, and words in scripts written without spaces between words.

A letter is a Unicode letter or a combining mark: Devanagari, Tamil or Thai vowel signs are
marks (categories Mc, Mn), not ``\\w``, yet part of the word. Chinese, Japanese, Thai, Lao,
Khmer and Myanmar put no space between words, so a whole sentence would be one token; a run
of these letters counts one word per ``CHARS_PER_WORD`` letters instead (a Chinese word is
1.5 to 2 characters on average), marks riding on the letter before them.

>>> cut_words("一只猫坐在窗台上")
['一只', '猫坐', '在窗', '台上']
>>> cut_words("tabby猫")
['tabby', '猫']
"""

from __future__ import annotations

import unicodedata

CHARS_PER_WORD = 2

_UNSPACED_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x19E0, 0x19FF),  # Khmer symbols
    (0x2E80, 0x2FDF),  # CJK and Kangxi radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xA9E0, 0xA9FF),  # Myanmar extended-B
    (0xAA60, 0xAA7F),  # Myanmar extended-A
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # halfwidth Katakana
    (0x20000, 0x3FFFF),  # CJK extensions B and later
)
# Where these scripts keep their punctuation ("。", "，", "「", Thai "๚", Khmer "។")
_PUNCTUATION_BLOCKS = ((0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFF65))


def is_letter(char: str) -> bool:
    """A letter of any script, or a combining mark (a vowel sign, a diacritic)."""
    return char.isalpha() or unicodedata.category(char).startswith("M")


def _in(char: str, blocks: tuple[tuple[int, int], ...]) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in blocks)


def is_unspaced(char: str) -> bool:
    """A letter or mark of a script written without spaces between words."""
    return is_letter(char) and _in(char, _UNSPACED_BLOCKS)


def is_unspaced_punctuation(char: str) -> bool:
    """Punctuation of those scripts: it ends a word as a space would."""
    category = unicodedata.category(char)
    in_blocks = _in(char, _PUNCTUATION_BLOCKS) or _in(char, _UNSPACED_BLOCKS)
    return category.startswith("P") and in_blocks


def runs(token: str) -> list[tuple[bool, str]]:
    """A token cut where a script written without spaces starts or ends: (unspaced?, run)."""
    found: list[tuple[bool, str]] = []
    for char in token:
        if found and unicodedata.category(char).startswith("M"):
            unspaced = found[-1][0]  # a mark belongs to the letter before it
        else:
            unspaced = is_unspaced(char)
        if found and found[-1][0] == unspaced:
            found[-1] = (unspaced, found[-1][1] + char)
        else:
            found.append((unspaced, char))
    return found


def clusters(run: str) -> list[str]:
    """A run as letters, each with the marks that follow it."""
    found: list[str] = []
    for char in run:
        if found and unicodedata.category(char).startswith("M"):
            found[-1] += char
        else:
            found.append(char)
    return found


def cut_words(token: str) -> list[str]:
    """A token as words: unspaced runs cut every ``CHARS_PER_WORD`` letters, the rest whole."""
    words = []
    for unspaced, run in runs(token):
        if not unspaced:
            words.append(run)
            continue
        letters = clusters(run)
        words += [
            "".join(letters[start : start + CHARS_PER_WORD])
            for start in range(0, len(letters), CHARS_PER_WORD)
        ]
    return words


def unspaced_pairs(text: str) -> set[str]:
    """Every two adjacent letters of the text's unspaced runs (a lone letter stands alone).

    With no spaces to mark words, a text mentions another's word when they share a pair.
    """
    pairs: set[str] = set()
    for token in text.split():
        for unspaced, run in runs(token):
            if not unspaced:
                continue
            letters = clusters(run)
            if len(letters) == 1:
                pairs.add(letters[0])
            pairs.update(a + b for a, b in zip(letters, letters[1:], strict=False))
    return pairs

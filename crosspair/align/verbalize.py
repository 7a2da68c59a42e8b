"""Numbers, dates, money, percentages and symbols as the words a speaker says for them.

English only. Cardinals and ordinals come from num2words; years, dates and money are put
together here so the reading is the common spoken one ("1999" -> nineteen ninety-nine,
"15.09.2021" -> the fifteenth of september twenty twenty-one, "$12.50" -> twelve dollars fifty
cents). A token that matches no rule returns ``None`` and is treated as a plain word.
"""

from __future__ import annotations

import re

from num2words import num2words

MONTHS = (
    "january february march april may june july august september october november december"
).split()
CURRENCIES = {"$": ("dollar", "cent"), "€": ("euro", "cent"), "£": ("pound", "penny")}
SYMBOLS = {"&": "and", "%": "percent", "+": "plus", "=": "equals", "@": "at", "#": "number"}
ABBREVIATIONS = {"mr": "mister", "mrs": "missus", "dr": "doctor", "vs": "versus", "etc": "etcetera"}

_INT = r"\d{1,3}(?:,\d{3})+|\d+"
_DATE_DMY = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONEY = re.compile(rf"([$€£])({_INT})(?:\.(\d{{1,2}}))?")
_PERCENT = re.compile(rf"({_INT}(?:\.\d+)?)%")
_ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th)", re.IGNORECASE)
_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DECIMAL = re.compile(rf"({_INT})\.(\d+)")
_INTEGER = re.compile(_INT)


def _words(text: str) -> list[str]:
    return text.replace("-", " ").replace(",", " ").split()


def cardinal(number: int) -> list[str]:
    return _words(num2words(number, lang="en"))


def ordinal(number: int) -> list[str]:
    return _words(num2words(number, lang="en", to="ordinal"))


def year(number: int) -> list[str]:
    """A year read in pairs: 1999 -> nineteen ninety-nine, 2005 -> two thousand five."""
    high, low = divmod(number, 100)
    if number < 1000 or (2000 <= number < 2010) or high % 10 == 0 and low == 0:
        return cardinal(number)
    if low == 0:
        return cardinal(high) + ["hundred"]
    if low < 10:
        return cardinal(high) + ["oh"] + cardinal(low)
    return cardinal(high) + cardinal(low)


def _integer(text: str) -> int:
    return int(text.replace(",", ""))


def _date(day: int, month: int, year_text: str) -> list[str] | None:
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    full_year = int(year_text) if len(year_text) == 4 else 2000 + int(year_text)
    return ["the", *ordinal(day), "of", MONTHS[month - 1], *year(full_year)]


def _money(symbol: str, whole: str, cents: str | None) -> list[str]:
    major, minor = CURRENCIES[symbol]
    amount = _integer(whole)
    words = cardinal(amount) + [major if amount == 1 else major + "s"]
    if cents:
        value = int(cents.ljust(2, "0"))
        minor_plural = "pence" if minor == "penny" else minor + "s"
        words += cardinal(value) + [minor if value == 1 else minor_plural]
    return words


def _decimal(whole: str, fraction: str) -> list[str]:
    digits = [w for d in fraction for w in cardinal(int(d))]
    return cardinal(_integer(whole)) + ["point"] + digits


def verbalize(token: str) -> list[str] | None:
    """Spoken words for a number-like or symbol token, or ``None`` if it is none of those."""
    lowered = token.lower()
    if lowered in ABBREVIATIONS:
        return [ABBREVIATIONS[lowered]]
    if token in SYMBOLS:
        return [SYMBOLS[token]]
    if not any(ch.isdigit() for ch in token):
        return None
    if match := _DATE_DMY.fullmatch(token):
        return _date(int(match[1]), int(match[2]), match[3])
    if match := _DATE_ISO.fullmatch(token):
        return _date(int(match[3]), int(match[2]), match[1])
    if match := _MONEY.fullmatch(token):
        return _money(match[1], match[2], match[3])
    if match := _PERCENT.fullmatch(token):
        number = match[1]
        spoken = _decimal(*number.split(".")) if "." in number else cardinal(_integer(number))
        return spoken + ["percent"]
    if match := _ORDINAL.fullmatch(token):
        return ordinal(int(match[1]))
    if match := _TIME.fullmatch(token):
        hours, minutes = int(match[1]), int(match[2])
        if minutes == 0:
            return cardinal(hours) + ["o'clock"]
        return cardinal(hours) + (["oh"] if minutes < 10 else []) + cardinal(minutes)
    if match := _DECIMAL.fullmatch(token):
        return _decimal(match[1], match[2])
    if _INTEGER.fullmatch(token):
        number = _integer(token)
        if "," not in token and 1100 <= number <= 2099:
            return year(number)
        return cardinal(number)
    return _mixed(token)


def _mixed(token: str) -> list[str] | None:
    """Letters and digits run together ("mp3", "covid19"): letters stay, digit runs are read."""
    words: list[str] = []
    for run in re.findall(r"\d+|[^\W\d_]+", token):
        words += cardinal(int(run)) if run.isdigit() else [run]
    return words or None


SEPARATORS = {".": "point", "-": "dash", "/": "slash", ":": "colon", ",": "comma"}


def literal(token: str) -> list[str] | None:
    """A second reading of a number-like token, symbol by symbol, as a synthesiser reads it.

    "15.09.2021" -> fifteen point zero nine point two zero two one. The pipeline tries it
    when the usual reading does not fit the audio.
    """
    if not any(ch.isdigit() for ch in token):
        return None
    words: list[str] = []
    after_point = False
    for part in re.findall(r"\d+|[^\W\d_]+|\S", token):
        if part.isdigit():
            digits = [w for d in part for w in cardinal(int(d))]
            words += digits if after_point else cardinal(int(part))
        elif part == ".":
            words.append("point")
            after_point = True
        elif part in SEPARATORS:
            words.append(SEPARATORS[part])
            after_point = False
        elif part.isalpha():
            words.append(part.lower())
        elif part in SYMBOLS:
            words.append(SYMBOLS[part])
    return words or None

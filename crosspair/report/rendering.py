"""HTML rendering of the report: the Jinja environment, one-line pair cards, pagination."""

from __future__ import annotations

import math
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).parent / "templates"


def _newlines_as_entities(text: str) -> Markup:
    """Escaped text whose line breaks survive joining the markup onto one line (in <pre>)."""
    escaped = str(escape(text)).replace("\r\n", "\n").replace("\n", "&#10;")
    return Markup(escaped)  # noqa: S704 (escaped on the line above)


def template_environment() -> Environment:
    """The report's templates, HTML-escaped, failing on any undefined name."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["newlines_as_entities"] = _newlines_as_entities
    return env


def one_line(html: str) -> Markup:
    """A card's markup on one line: the erasure drops text lines naming an erased pair or
    item id (``crosspair.erasure.rewrite.filter_lines``), and so drops the whole card."""
    joined = " ".join(line.strip() for line in html.splitlines() if line.strip())
    return Markup(joined)  # noqa: S704 (rendered by the autoescaping environment)


def paginate(cards: list[dict], per_page: int) -> list[dict]:
    """Pages of ``per_page`` cards: file name, label, range and links to their neighbours."""
    count = math.ceil(len(cards) / per_page)
    files = [f"pairs-{number:03d}.html" for number in range(1, count + 1)]
    pages = []
    for index, file in enumerate(files):
        first = index * per_page
        pages.append(
            {
                "file": file,
                "label": f"pairs {index + 1}" if count > 1 else "pairs",
                "first": first + 1,
                "last": min(first + per_page, len(cards)),
                "previous": files[index - 1] if index else "",
                "next": files[index + 1] if index + 1 < count else "",
                "cards": cards[first : first + per_page],
            }
        )
    return pages

"""A match pool for the demo's code source: docstrings kept apart from their functions.

Five more standard-library functions go into the ``demo_code`` manifest without a docstring
(``"docstring": []``: no text, so no pair by record), and six docstrings written for the demo go
into a pool file under opaque ids: one for each of the five, and one for
``calendar.monthrange``, a function that is not in the corpus. The source's ``match`` block has
MiniLM rank every pool text against every code item of the source (the seven documented
functions included), one best item per text above a cosine of 0.2. The five come out right;
the orphan lands on the nearest function, ``calendar.isleap``: a wrong model pair, which the
simulated review of ``crosspair.synth.demo_annotations`` removes.

>>> pool_text_key("doc-2")
'pool:doc-2#0'
"""

from __future__ import annotations

import json
from pathlib import Path

from crosspair.semantic.pool import POOL_KEY_PREFIX

CODE_SOURCE = "demo_code"
POOL_PATH = "docstring_pool.jsonl"
THRESHOLD = 0.2

# Functions whose docstring lives only in the pool (their code is in the manifest).
UNDOCUMENTED_FUNCTIONS = [
    "colorsys.rgb_to_hls",
    "glob.escape",
    "zipfile.is_zipfile",
    "heapq.nlargest",
    "difflib.get_close_matches",
]

ORPHAN = "calendar.monthrange"  # documented in the pool, its code never saved
# (pool id, docstring written for the demo, the function it documents), in file order: the
# ids and the order say nothing about which function a text belongs to.
POOL = [
    ("doc-1", "Tell whether a file is a ZIP archive. The argument may be a file name or a "
     "file-like object; the check looks for the end-of-central-directory record rather than "
     "trusting the extension. Returns False when the file cannot be opened or read.",
     "zipfile.is_zipfile"),
    ("doc-2", "Return the weekday of the first day of a month and the number of days in that "
     "month, for a given year and month.", ORPHAN),
    ("doc-3", "Convert a colour from red, green and blue to hue, lightness and saturation. All "
     "values are floats between 0 and 1.", "colorsys.rgb_to_hls"),
    ("doc-4", "Return a list of the best 'good enough' matches of a word among a list of "
     "possibilities. At most n matches are returned, best first; a possibility is kept only if "
     "its similarity ratio to the word is at least cutoff, a float in [0, 1]. Raises ValueError "
     "for a bad n or cutoff.", "difflib.get_close_matches"),
    ("doc-5", "Escape every special character in a path, so that a wildcard pattern matches it "
     "literally.", "glob.escape"),
    ("doc-6", "Find the n largest elements of a dataset. Equivalent to "
     "sorted(iterable, key=key, reverse=True)[:n], but faster for small n; a key function, if "
     "given, is applied to each element before comparing.", "heapq.nlargest"),
]  # fmt: skip


def code_record_id(dotted: str) -> str:
    """The manifest id (``task_id``) of a standard-library function's record."""
    return f"stdlib/{dotted}"


def pool_text_key(pool_id: str) -> str:
    """The record key discovery gives a pool text (one text per pool record here)."""
    return f"{POOL_KEY_PREFIX}{pool_id}#0"


def pool_id_of(dotted: str) -> str:
    """The pool id of the docstring written for ``dotted``."""
    return next(pool_id for pool_id, _, target in POOL if target == dotted)


def write_docstring_pool(root: Path) -> list[dict]:
    """Write the pool file into the code source's root; returns its records."""
    records = [{"id": pool_id, "text": text} for pool_id, text, _ in POOL]
    lines = [json.dumps(record, ensure_ascii=False) + "\n" for record in records]
    (root / POOL_PATH).write_text("".join(lines), encoding="utf-8")
    return records


def match_block() -> dict:
    """The ``match`` entry of the code source in the sources file."""
    return {
        "pool": POOL_PATH,
        "kind": "docstring",
        "text_field": "text",
        "id_field": "id",
        "model": "minilm",
        "top_k": 1,
        "threshold": THRESHOLD,
    }

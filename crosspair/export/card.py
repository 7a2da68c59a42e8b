"""The dataset card: a Markdown summary of what a build holds, what it left out and why.

Every number comes from the tables passed in, and nothing depends on the clock unless a
``built_at`` string is given, so the card of an unchanged build is byte-identical.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import pandas as pd

from crosspair.schemas import SPLITS

# where crosspair.report writes its index, relative to exports/dataset_card.md
REPORT_LINK = "report/index.html"


def _cell(value) -> str:
    """A table cell: licences, origins and paths come from users, so their HTML is escaped."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub-style Markdown table of a frame's columns and rows."""
    header = "| " + " | ".join(_cell(column) for column in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = [
        "| " + " | ".join(_cell(value) for value in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])


def _counts(frame: pd.DataFrame, by: list[str], name: str = "items") -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=[*by, name])
    counted = frame.groupby(by, dropna=False).size().rename(name).reset_index()
    return counted.sort_values([name, *by], ascending=[False, *[True] * len(by)])


def _section(title: str, frame: pd.DataFrame, empty: str = "None.") -> list[str]:
    return [f"## {title}", "", markdown_table(frame) if len(frame) else empty, ""]


def _split_table(pairs: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    joined = assignments[assignments["pair_id"].isin(pairs["pair_id"])]
    rows = []
    for split in SPLITS:
        part = joined[joined["split"] == split]
        rows.append(
            {
                "split": split,
                "pairs": len(part),
                "pair groups": part["group_id"].nunique(),
                "leakage groups": part["leakage_group"].nunique(),
                "share of pairs": f"{len(part) / len(joined):.1%}" if len(joined) else "-",
            }
        )
    return pd.DataFrame(rows)


def render_dataset_card(
    catalogs: Mapping[str, pd.DataFrame],
    rejects: pd.DataFrame,
    pairs: pd.DataFrame,
    assignments: pd.DataFrame,
    check_results: Sequence[Mapping],
    title: str,
    version: str,
    *,
    unpaired: pd.DataFrame | None = None,
    excluded: pd.DataFrame | None = None,
    built_at: str | None = None,
    report_link: str | None = REPORT_LINK,
) -> str:
    """Markdown card: items per modality/source/licence, pairs and groups per split, rejects,
    excluded and unpaired items, and the results of the build's checks.

    ``check_results`` holds dicts with name, asset, passed, severity and description.
    ``report_link`` is the HTML report's index relative to the card (None: no link).
    """
    columns = ["source", "modality", "licence", "size_bytes"]
    items = pd.concat(
        [catalog[columns] for catalog in catalogs.values() if len(catalog)]
        or [pd.DataFrame(columns=columns)],
        ignore_index=True,
    )
    assigned = pairs[pairs["pair_id"].isin(assignments["pair_id"])]
    failed = [result for result in check_results if not result["passed"]]

    lines = [f"# {title}", "", f"Version: {version}"]
    if built_at:
        lines.append(f"Built at: {built_at}")
    if report_link:
        lines += ["", f"Browse the pairs, charts and rejects: [HTML report]({report_link})"]
    lines += [
        "",
        "## Summary",
        "",
        f"- Items: {len(items)} ({int(items['size_bytes'].sum())} bytes)",
        f"- Pairs: {len(pairs)} in {pairs['group_id'].nunique()} pair groups",
        f"- Pairs in splits: {len(assigned)}",
        f"- Pairs excluded from splits: {0 if excluded is None else len(excluded)}",
        f"- Rejected items: {len(rejects)}",
        f"- Checks: {len(check_results) - len(failed)} of {len(check_results)} passed",
        "",
    ]

    by_modality = items.groupby("modality").agg(
        items=("modality", "size"), bytes=("size_bytes", "sum")
    )
    lines += _section("Items per modality", by_modality.reset_index())
    lines += _section("Items per source", _counts(items, ["source", "modality"]))
    lines += _section("Items per licence", _counts(items, ["licence"]))
    lines += _section("Pairs per split", _split_table(pairs, assignments))
    lines += _section(
        "Pairs in splits per source and method",
        _counts(assigned, ["source", "left_modality", "right_modality", "method"], "pairs"),
    )
    lines += _section("Rejects by reason", _counts(rejects, ["reason"]))
    lines += _section("Rejects by source and reason", _counts(rejects, ["source", "reason"]))
    if excluded is not None:
        lines += _section("Pairs excluded from splits", _counts(excluded, ["reason"], "pairs"))
    if unpaired is not None:
        lines += _section(
            "Unpaired items", _counts(unpaired, ["source", "modality", "wanted", "reason"])
        )

    checks = pd.DataFrame(
        [
            {
                "check": result["name"],
                "asset": result["asset"],
                "result": "passed" if result["passed"] else "FAILED",
                "severity": result["severity"],
                "description": result["description"],
            }
            for result in sorted(check_results, key=lambda r: (str(r["asset"]), str(r["name"])))
        ],
        columns=["check", "asset", "result", "severity", "description"],
    )
    lines += _section("Checks", checks, empty="No checks were run.")
    return "\n".join(lines).rstrip("\n") + "\n"

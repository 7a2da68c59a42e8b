"""Every discovered item ends in exactly one place: a catalog or the rejects table."""

from __future__ import annotations

import logging

import pandas as pd

from crosspair.validation.catalogs import stack_catalogs
from crosspair.validation.outcome import CheckOutcome

logger = logging.getLogger(__name__)

FAILURE_COLUMNS = ["source", "item_id", "problem", "detail"]


def check_conservation(
    discovered: pd.DataFrame,
    catalogs: dict[str, pd.DataFrame],
    rejects: pd.DataFrame,
) -> CheckOutcome:
    """Per source, discovered items = catalog rows + reject rows, each item in exactly one.

    Problems per item: ``lost`` (discovered, in neither), ``catalogued_and_rejected``,
    ``duplicated`` (twice in the catalogs, twice in rejects, or discovered twice) and
    ``not_discovered`` (catalogued or rejected but never discovered). Pass only the catalogs
    whose rows come from discovery, not derived tables.
    """
    columns = ["source", "item_id"]
    catalogued = stack_catalogs(catalogs, columns)
    found = discovered[columns]
    rejected = rejects[columns]

    problems: list[dict] = []
    for label, table in (("discovered", found), ("catalogs", catalogued), ("rejects", rejected)):
        for (source, item), count in table.groupby(["source", "item_id"]).size().items():
            if count > 1:
                problems.append(_problem(source, item, "duplicated", f"{count} rows in {label}"))

    found_keys = set(found.itertuples(index=False, name=None))
    catalog_keys = set(catalogued.itertuples(index=False, name=None))
    reject_keys = set(rejected.itertuples(index=False, name=None))
    for source, item in sorted(catalog_keys & reject_keys):
        problems.append(_problem(source, item, "catalogued_and_rejected", "in both"))
    for source, item in sorted(found_keys - catalog_keys - reject_keys):
        problems.append(_problem(source, item, "lost", "discovered, then in neither table"))
    for source, item in sorted((catalog_keys | reject_keys) - found_keys):
        where = "catalogs" if (source, item) in catalog_keys else "rejects"
        problems.append(_problem(source, item, "not_discovered", f"only in {where}"))

    summary: dict[str, int | float | str] = {}
    unbalanced = 0
    sources = sorted(set(found["source"]) | set(catalogued["source"]) | set(rejected["source"]))
    for source in sources:
        n_found = int((found["source"] == source).sum())
        n_catalogued = int((catalogued["source"] == source).sum())
        n_rejected = int((rejected["source"] == source).sum())
        summary[f"{source}.discovered"] = n_found
        summary[f"{source}.catalogued"] = n_catalogued
        summary[f"{source}.rejected"] = n_rejected
        if n_found != n_catalogued + n_rejected:
            unbalanced += 1
    failures = pd.DataFrame(problems, columns=FAILURE_COLUMNS)
    summary.update(
        sources=len(sources),
        unbalanced_sources=unbalanced,
        failing_sources=", ".join(sorted(failures["source"].unique())),
    )
    for problem, count in failures["problem"].value_counts().sort_index().items():
        summary[f"problem.{problem}"] = int(count)

    passed = failures.empty and unbalanced == 0
    logger.info(
        "conservation: %d sources, %d item problems, %d unbalanced sources",
        len(sources),
        len(failures),
        unbalanced,
    )
    return CheckOutcome.build(passed, summary, failures)


def _problem(source: str, item_id: str, problem: str, detail: str) -> dict:
    return {"source": source, "item_id": item_id, "problem": problem, "detail": detail}

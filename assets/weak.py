"""Weak-supervision assets: rule votes on (image, text) candidates from saved pages, and pairs."""

import pandas as pd
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from assets.metadata import counts_by, markdown_table, table_metadata
from crosspair.weak.rules import registered_rules
from crosspair.weak.tables import VOTE_PREFIX, label_settings, label_votes, weak_pair_table
from dagster_project.resources import CrosspairSettings

GROUP = "pairing"


def _rule_summary(votes: pd.DataFrame) -> MetadataValue:
    """Per rule: its weight and how often it voted keep, drop or abstain."""
    weights = {rule.name: rule for rule in registered_rules()}
    rows = []
    for column in [c for c in votes.columns if c.startswith(VOTE_PREFIX)]:
        name = column.removeprefix(VOTE_PREFIX)
        counts = votes[column].value_counts()
        rule = weights.get(name)
        rows.append(
            {
                "rule": name,
                "weight": rule.weight if rule else float("nan"),
                "veto": bool(rule and rule.veto),
                **{vote: int(counts.get(vote, 0)) for vote in ("keep", "drop", "abstain")},
            }
        )
    return markdown_table(pd.DataFrame(rows), rows=len(rows))


@asset(group_name=GROUP)
def weak_label_votes(
    context: AssetExecutionContext,
    settings: CrosspairSettings,
    discovered_items: pd.DataFrame,
    image_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
) -> Output[pd.DataFrame]:
    """Every (image, alt text / figcaption / paragraph) candidate of the saved pages, with each
    labelling rule's vote, the combined confidence, keep or drop, and why."""
    table = label_votes(
        discovered_items, image_catalog, text_catalog, label_settings(settings.sources)
    )
    kept = int((table["decision"] == "keep").sum())
    dropped = len(table) - kept
    context.log.info("weak labels: %d candidates, %d kept, %d dropped", len(table), kept, dropped)
    metadata = table_metadata(table, "candidates", "source", "kind", "decision")
    metadata["# Kept"] = kept
    metadata["# Dropped"] = dropped
    metadata["rules"] = _rule_summary(table)
    metadata["drop reasons"] = counts_by(table[table["decision"] == "drop"], "reason")
    return Output(table, metadata=metadata)


@asset(group_name=GROUP)
def weak_pairs(weak_label_votes: pd.DataFrame) -> Output[pd.DataFrame]:
    """Kept candidates as image ↔ text pairs (method weak_supervision, score = confidence)."""
    pairs = weak_pair_table(weak_label_votes)
    metadata = table_metadata(pairs, "pairs", "source")
    metadata["# Groups"] = int(pairs["group_id"].nunique()) if not pairs.empty else 0
    metadata["# Candidates dropped"] = int((weak_label_votes["decision"] == "drop").sum())
    return Output(pairs, metadata=metadata)

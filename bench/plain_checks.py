"""The checks of the build job and the dataset card, without Dagster (see ``plain_build.py``).

Each block calls what the check of the same name in ``checks/`` calls; the results take the
shape the dataset card reads from Dagster's event log.
"""

from __future__ import annotations

import pandas as pd

from checks.schema_checks import TABLE_SCHEMAS  # data only: which schema each table has
from crosspair.annotation.floor import agreement_floor
from crosspair.catalog import item_keys
from crosspair.export.card import render_dataset_card
from crosspair.schemas import CATALOGS
from crosspair.semantic.noisy import noisy_share_outcome
from crosspair.splits import leakage_violations
from crosspair.validation import (
    CheckOutcome,
    check_conservation,
    check_integrity,
    exact_duplicates_report,
    modality_imbalance,
    near_duplicates_report,
    run_pair_expectations,
    text_length_outliers,
    validate_table,
)

MODALITIES = tuple(CATALOGS)


def _record(build, asset: str, name: str, outcome: CheckOutcome, warn_only=False) -> None:
    build.checks.append(
        {
            "name": name,
            "asset": asset,
            "passed": outcome.passed,
            "severity": "WARN" if warn_only else "ERROR",
            "description": outcome.describe(),
        }
    )


def run_checks(build) -> None:
    """checks/*.py: schema, integrity, pairs, conservation, leakage, statistics, timing,
    semantic and annotation."""
    t, s = build.tables, build.settings
    for name, schema in TABLE_SCHEMAS.items():
        _record(build, name, "schema", validate_table(t[name], schema))
    for name in [f"{m}_catalog" for m in MODALITIES] + ["extracted_audio"]:
        outcome = check_integrity(t[name], s.resolve, s.duration_tolerance_s)
        _record(build, name, "integrity", outcome)
    _record(build, "pairs", "expectations", run_pair_expectations(t["pairs"]))
    columns = ["source", "item_id"]
    found = pd.concat(
        [t["discovered_items"][columns], t["discovery_rejects"][columns]], ignore_index=True
    )
    outcome = check_conservation(found, build.catalogs(MODALITIES), t["rejects"])
    _record(build, "rejects", "conservation", outcome)

    items = item_keys(*build.catalogs().values(), t["extracted_audio"])
    violations = leakage_violations(t["split_assignments"], t["pairs"], items, t["near_duplicates"])
    summary = {"pairs": len(t["split_assignments"]), "groups_crossing_splits": len(violations)}
    outcome = CheckOutcome.build(violations.empty, summary, violations)
    _record(build, "split_assignments", "no_leakage", outcome)

    outcome, _ = noisy_share_outcome(t["pair_scores"], t["noisy_pairs"], s.max_noisy_share)
    _record(build, "noisy_pairs", "noisy_share", outcome)
    verdict = agreement_floor(t["annotation_agreement"], s.agreement_floor)
    _record(build, "annotation_agreement", "agreement_floor", verdict.outcome, verdict.warn_only)
    _statistics_and_timing(build)


def _statistics_and_timing(build) -> None:
    t, s = build.tables, build.settings
    media = ("image", "audio", "video", "mesh", "sensor", "code")
    outcome = text_length_outliers(t["text_catalog"])
    _record(build, "text_catalog", "length_outliers", outcome, warn_only=True)
    outcome = exact_duplicates_report(build.catalogs(media))
    _record(build, "near_duplicates", "exact_duplicates", outcome, warn_only=True)
    outcome = near_duplicates_report(t["near_duplicates"])
    _record(build, "near_duplicates", "perceptual_duplicates", outcome, warn_only=True)
    catalogs = build.catalogs(("image", "audio", "video", "mesh", "code"))
    outcome = modality_imbalance(catalogs, t["pairs"], s.max_unpaired_share)
    _record(build, "pairs", "modality_imbalance", outcome, warn_only=True)

    offsets = t["sync_offsets"]
    reliable = offsets[offsets["reason"] == ""]
    beyond = reliable[reliable["within_tolerance"].eq(False)]
    summary = {"pairs": len(offsets), "reliable": len(reliable), "beyond_tolerance": len(beyond)}
    outcome = CheckOutcome.build(beyond.empty, summary, beyond)
    _record(build, "sync_offsets", "within_tolerance", outcome, warn_only=True)

    aligned = t["alignment_summary"]
    weak = aligned[(aligned["coverage"] < 1.0) | (aligned["status"] != "ok")]
    low = aligned["low_score_tokens"].str.split(";").map(lambda p: len([x for x in p if x]))
    summary = {
        "pairs": len(aligned),
        "mean_coverage": round(float(aligned["coverage"].mean()), 4) if len(aligned) else 0.0,
        "low_score_tokens": int(low.sum()),
        "pairs_not_ok": len(weak),
    }
    columns = ["pair_id", "status", "coverage", "mean_score", "low_score_tokens", "reason"]
    outcome = CheckOutcome.build(weak.empty, summary, weak[columns])
    _record(build, "alignment_summary", "coverage", outcome, warn_only=True)


def write_card(build) -> None:
    """assets/exports.py dataset_card, from this build's check results."""
    t = build.tables
    checks = sorted(build.checks, key=lambda c: (c["asset"], c["name"]))
    card = render_dataset_card(
        build.catalogs(MODALITIES),
        t["rejects"],
        t["pairs"],
        t["split_assignments"],
        checks,
        title="crosspair dataset",
        version=build.settings.version,
        unpaired=t["unpaired_items"],
        excluded=t["split_exclusions"],
    )
    path = build.data / "exports" / "dataset_card.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(card, encoding="utf-8")
    build.store("dataset_card", card)

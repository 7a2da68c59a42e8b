"""Turns a plain-Python CheckOutcome into a Dagster check result with readable metadata."""

from __future__ import annotations

from dagster import AssetCheckResult, AssetCheckSeverity

from assets.metadata import markdown_table
from crosspair.validation import CheckOutcome


def to_result(
    outcome: CheckOutcome, *, warn_only: bool = False, asset_key=None, check_name: str | None = None
) -> AssetCheckResult:
    """Counts become numbers, failing rows become a Markdown table."""
    metadata = {name: value for name, value in outcome.summary.items()}
    metadata["failing rows"] = markdown_table(outcome.failures, rows=len(outcome.failures))
    severity = AssetCheckSeverity.WARN if warn_only else AssetCheckSeverity.ERROR
    extra = {}
    if asset_key is not None:
        extra["asset_key"] = asset_key
    if check_name is not None:
        extra["check_name"] = check_name
    return AssetCheckResult(
        passed=outcome.passed,
        severity=severity,
        metadata=metadata,
        description=outcome.describe(),
        **extra,
    )

"""Erasure assets: the ledger of requests (hashed ids only) and the report of each erasure."""

import json
from pathlib import Path

import pandas as pd
from dagster import AssetExecutionContext, Config, MaterializeResult, MetadataValue, asset
from pydantic import Field

from assets.metadata import markdown_table
from crosspair.erasure.ledger import Ledger
from dagster_project.resources import CrosspairSettings

GROUP = "erasure"


@asset(group_name=GROUP)
def erasure_ledger(context: AssetExecutionContext, settings: CrosspairSettings):
    """Every erasure request (who, when, why; ids as keyed hashes): ingest leaves them out."""
    ledger = Ledger(settings.erasure_ledger)
    entries = ledger.entries()
    ledger.key(required=bool(entries))  # fail here, with the fix, rather than in discovery
    table = pd.DataFrame(
        [
            {
                "request_id": e.request_id,
                "requested_at": e.requested_at,
                "requested_by": e.requested_by,
                "reason": e.reason,
                "subjects (hashed)": len(e.subject_hashes),
                "items (hashed)": len(e.item_hashes),
            }
            for e in entries
        ]
    )
    context.log.info("%d erasure requests in %s", len(entries), ledger.path)
    return MaterializeResult(
        metadata={
            "# Requests": len(entries),
            "ledger": str(ledger.path.resolve()),
            "requests": markdown_table(table, rows=50),
        }
    )


class ErasureReportConfig(Config):
    report: str = Field(description="JSON audit report written by `crosspair forget`")


@asset(group_name=GROUP, deps=[erasure_ledger])
def erasure_report(context: AssetExecutionContext, config: ErasureReportConfig):
    """What one erasure removed: counts and every artifact deleted or rewritten, per version."""
    path = Path(config.report)
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `crosspair forget` to write it")
    report = json.loads(path.read_text(encoding="utf-8"))
    artifacts = pd.DataFrame(
        [
            {
                "location": row["location"],
                "path": row["path"],
                "kind": row["kind"],
                "action": row["action"],
                "removed": ", ".join(f"{v} {k}" for k, v in row["removed"].items()),
                "versions": ", ".join(row["versions"]),
            }
            for row in report["artifacts"]
        ]
    )
    versions = pd.DataFrame(report["versions"]).drop(columns=["commit"], errors="ignore")
    summary = report["summary"]
    context.log.info("erasure %s: %s", report["request_id"], summary)
    return MaterializeResult(
        metadata={
            "request_id": report["request_id"],
            "report": str(path.resolve()),
            **{f"# {name.replace('_', ' ').capitalize()}": n for name, n in summary.items()},
            "# Hits after erasure": report["verification"]["hits_after_erasure"],
            "artifacts": markdown_table(artifacts, rows=len(artifacts) or 1),
            "versions": MetadataValue.md(versions.to_markdown(index=False))
            if len(versions)
            else MetadataValue.md("_(no versions)_"),
        }
    )

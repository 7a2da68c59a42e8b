"""The agreement floor: do annotators agree enough for their decisions to be trusted?

Every row of the agreement table (each source, and all sources together) whose Krippendorff's
alpha is below the floor fails. Rows whose alpha cannot be measured (no item judged twice, or
one label throughout) only warn; no judgements at all pass, saying so.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from crosspair.annotation.tables import ALL_SOURCES
from crosspair.validation.outcome import CheckOutcome

NO_JUDGEMENTS = "no judgements"
_SHOWN = ["source", "items", "items_compared", "annotators", "krippendorff_alpha"]


@dataclass(frozen=True)
class FloorVerdict:
    """The check's outcome, and whether a failure is only a warning."""

    outcome: CheckOutcome
    warn_only: bool


def agreement_floor(agreement: pd.DataFrame, floor: float) -> FloorVerdict:
    """Fail on any alpha below ``floor``; warn when alpha could not be measured."""
    if agreement.empty:
        summary = {"note": NO_JUDGEMENTS, "floor": floor, "sources": 0}
        return FloorVerdict(CheckOutcome.build(True, summary, pd.DataFrame(columns=_SHOWN)), False)

    alpha = agreement["krippendorff_alpha"]
    below = agreement[alpha < floor]
    unmeasured = agreement[alpha.isna()]
    summary = {
        "floor": floor,
        "sources": int((agreement["source"] != ALL_SOURCES).sum()),
        "lowest_alpha": round(float(alpha.min()), 4) if alpha.notna().any() else "not measured",
        "below_floor": len(below),
        "not_measured": len(unmeasured),
    }
    if not below.empty:
        summary["note"] = f"Krippendorff's alpha below {floor} in {len(below)} row(s)"
        return FloorVerdict(CheckOutcome.build(False, summary, below[_SHOWN]), False)
    if not unmeasured.empty:
        summary["note"] = "alpha not measurable: no item judged by two annotators, or one label"
        return FloorVerdict(CheckOutcome.build(False, summary, unmeasured[_SHOWN]), True)
    summary["note"] = f"every alpha at or above {floor}"
    return FloorVerdict(CheckOutcome.build(True, summary, below[_SHOWN]), False)

"""The one result type every validation function returns, shaped for a Dagster asset check."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

#: Most failing rows an outcome carries; the total is always in ``summary["failures_total"]``.
MAX_FAILURE_ROWS = 50

SummaryValue = int | float | str


@dataclass(frozen=True)
class CheckOutcome:
    """Whether a check passed, counts to show as metadata, and a bounded table of failing rows.

    >>> outcome = CheckOutcome.build(True, {"rows": 3}, pd.DataFrame())
    >>> outcome.passed, outcome.summary["failures_total"]
    (True, 0)
    """

    passed: bool
    summary: dict[str, SummaryValue] = field(default_factory=dict)
    failures: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def build(
        cls,
        passed: bool,
        summary: dict[str, SummaryValue],
        failures: pd.DataFrame,
        limit: int = MAX_FAILURE_ROWS,
    ) -> CheckOutcome:
        """Cut ``failures`` to ``limit`` rows and record the total and shown counts."""
        total = len(failures)
        shown = failures.head(limit).reset_index(drop=True)
        summary = {**summary, "failures_total": total, "failures_shown": len(shown)}
        return cls(passed=bool(passed), summary=summary, failures=shown)

    def describe(self) -> str:
        """One line for logs: verdict and the failure count."""
        verdict = "passed" if self.passed else "FAILED"
        return f"{verdict}: {self.summary.get('failures_total', len(self.failures))} failing rows"

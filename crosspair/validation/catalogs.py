"""Several per-modality catalogs seen as one table of the columns a check needs."""

from __future__ import annotations

import pandas as pd


def stack_catalogs(catalogs: dict[str, pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """Rows of every catalog, cut to ``columns`` (absent ones are null); empty if none given."""
    frames = [catalog.reindex(columns=columns) for catalog in catalogs.values()]
    if not frames:
        return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})
    return pd.concat(frames, ignore_index=True)

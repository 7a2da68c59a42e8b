"""The weak-supervision tables: every candidate's votes and decision, and the kept pairs.

Candidates are the harvested texts in ``discovered_items`` (kinds alt_text, figcaption,
paragraph). A candidate the rules keep is still dropped when its image or its text did not
make it into the catalogs (reason ``image_rejected`` / ``text_rejected``), since a pair may
only point at catalogued items. Dropped candidates stay in the votes table with their reason.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence

import pandas as pd

from crosspair.ids import item_id, pair_id
from crosspair.pairing import pairs_frame
from crosspair.schemas import UNPAIRED, empty_frame
from crosspair.weak.config import HTML_TEXT_KINDS
from crosspair.weak.label_model import judge, rules_version
from crosspair.weak.rules import DROP, KEEP, LabelSettings, Rule, WeakCandidate, registered_rules

log = logging.getLogger(__name__)

WEAK_SUPERVISION = "weak_supervision"
MODEL_NAME = "crosspair.weak.label_model"
VOTE_PREFIX = "vote_"
IMAGE_REJECTED = "image_rejected"
TEXT_REJECTED = "text_rejected"
LEADING_COLUMNS = ["source", "page", "image_path", "image_id", "text_id", "kind", "text"]
TRAILING_COLUMNS = ["confidence", "threshold", "decision", "reason"]
_HTML_KIND = '"kind": "(?:' + "|".join(HTML_TEXT_KINDS) + ')"'


def vote_columns(rules: Sequence[Rule]) -> list[str]:
    return [VOTE_PREFIX + rule.name for rule in rules]


def _empty_votes(rules: Sequence[Rule]) -> pd.DataFrame:
    columns = {name: pd.Series(dtype=object) for name in LEADING_COLUMNS + vote_columns(rules)}
    columns.update({name: pd.Series(dtype=float) for name in ("confidence", "threshold")})
    columns.update({name: pd.Series(dtype=object) for name in ("decision", "reason")})
    return pd.DataFrame(columns)


def label_votes(
    discovered: pd.DataFrame,
    image_catalog: pd.DataFrame,
    text_catalog: pd.DataFrame,
    settings_by_source: Mapping[str, LabelSettings] | None = None,
    rules: Sequence[Rule] | None = None,
) -> pd.DataFrame:
    """One row per harvested (image, text) candidate: each rule's vote, confidence, decision."""
    rules = registered_rules() if rules is None else list(rules)
    settings_by_source = settings_by_source or {}
    image_ids = set(image_catalog["item_id"])
    text_ids = set(text_catalog["item_id"])
    # a cheap text match first, so the payloads of other sources' texts are never parsed
    harvested = discovered["payload"].str.contains(_HTML_KIND, regex=True)
    texts = discovered[(discovered["modality"] == "text") & harvested]

    rows = []
    for row in texts.itertuples(index=False):
        payload = json.loads(row.payload)
        if payload.get("kind") not in HTML_TEXT_KINDS:
            continue
        settings = settings_by_source.get(row.source, LabelSettings())
        candidate = WeakCandidate(
            kind=payload["kind"],
            text=payload.get("text") or "",
            image_path=payload.get("anchor") or "",
            alt=payload.get("alt") or "",
            page=row.path,
        )
        verdict = judge(candidate, settings, rules)
        image_id = item_id(row.source, candidate.image_path, "")
        missing = [IMAGE_REJECTED] if image_id not in image_ids else []
        missing += [TEXT_REJECTED] if row.item_id not in text_ids else []
        decision = DROP if missing else verdict.decision
        reason = ";".join(part for part in [verdict.reason, *missing] if part)
        rows.append(
            {
                "source": row.source,
                "page": row.path,
                "image_path": candidate.image_path,
                "image_id": image_id,
                "text_id": row.item_id,
                "kind": candidate.kind,
                "text": candidate.text,
                **{VOTE_PREFIX + name: vote for name, vote in verdict.votes.items()},
                "confidence": float(verdict.confidence),
                "threshold": float(settings.threshold),
                "decision": decision,
                "reason": reason,
            }
        )
    if not rows:
        return _empty_votes(rules)
    table = pd.DataFrame(rows, columns=LEADING_COLUMNS + vote_columns(rules) + TRAILING_COLUMNS)
    table = table.sort_values(["source", "page", "image_path", "kind", "text_id"], kind="mergesort")
    log.info(
        "weak labels: %d candidates, %d kept", len(table), int((table["decision"] == KEEP).sum())
    )
    return table.reset_index(drop=True)


def weak_pair_table(votes: pd.DataFrame, rules: Sequence[Rule] | None = None) -> pd.DataFrame:
    """The kept candidates as pairs (schema ``PAIRS``): image ↔ text, score = confidence."""
    rules = registered_rules() if rules is None else list(rules)
    names = [c.removeprefix(VOTE_PREFIX) for c in votes.columns if c.startswith(VOTE_PREFIX)]
    version = "rules-" + rules_version([rule for rule in rules if rule.name in names])
    records = []
    for _, row in votes[votes["decision"] == KEEP].iterrows():
        params = {
            "kind": row["kind"],
            "page": row["page"],
            "threshold": float(row["threshold"]),
            "votes": {name: row[VOTE_PREFIX + name] for name in names},
            "model_name": MODEL_NAME,
            "model_version": version,
        }
        records.append(
            {
                "pair_id": pair_id(row["image_id"], row["text_id"], WEAK_SUPERVISION),
                "group_id": row["image_id"],
                "source": row["source"],
                "left_id": row["image_id"],
                "left_modality": "image",
                "right_id": row["text_id"],
                "right_modality": "text",
                "method": WEAK_SUPERVISION,
                "score": float(row["confidence"]),
                "params": json.dumps(params, sort_keys=True),
            }
        )
    return pairs_frame(records)


def weak_unpaired(votes: pd.DataFrame) -> pd.DataFrame:
    """Rows for ``unpaired_items`` (schema ``UNPAIRED``): each dropped text, and each image
    whose every candidate was dropped, with the reasons from the votes."""
    rows = []
    for row in votes[votes["decision"] == DROP].itertuples(index=False):
        rows.append(
            {
                "item_id": row.text_id,
                "source": row.source,
                "modality": "text",
                "path": row.page,
                "wanted": f"{row.kind} ↔ its image",
                "reason": f"weak labels dropped it: {row.reason}",
            }
        )
    kept_images = set(votes.loc[votes["decision"] == KEEP, "image_id"])
    unpaired_images = votes[~votes["image_id"].isin(kept_images)]
    for image_id, group in unpaired_images.groupby("image_id", sort=True):
        pairs = zip(group["kind"], group["reason"], strict=True)
        reasons = ", ".join(f"{kind}: {reason}" for kind, reason in pairs)
        first = group.iloc[0]
        rows.append(
            {
                "item_id": image_id,
                "source": first["source"],
                "modality": "image",
                "path": first["image_path"],
                "wanted": "image ↔ text from its pages",
                "reason": f"weak labels dropped all {len(group)} texts ({reasons})",
            }
        )
    if not rows:
        return empty_frame(UNPAIRED)
    frame = pd.DataFrame(rows, columns=list(UNPAIRED.columns))
    return frame.sort_values(["source", "path", "wanted", "item_id"], kind="mergesort").reset_index(
        drop=True
    )


def label_settings(sources) -> dict[str, LabelSettings]:
    """Each html source's thresholds, from a ``SourcesConfig``."""
    return {s.name: LabelSettings.from_html(s.html) for s in sources.sources if s.html}

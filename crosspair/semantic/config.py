"""The ``match`` block of a source: unlinked texts to pair with its items by a model.

.. code-block:: yaml

    match:
      pool: unlinked_docstrings.jsonl   # JSONL inside the source root
      kind: docstring
      text_field: text
      id_field: id
      model: minilm                     # or open_clip (image sources, needs clip_checkpoint)
      top_k: 1
      threshold: 0.3
      one_to_one: true
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

# The text kinds of crosspair.sources.TEXT_KINDS (not imported: sources imports this module).
PoolKind = Literal["caption", "transcript", "description", "docstring"]


class Match(BaseModel):
    """Texts linked to no item (a pool), paired with the source's items by an embedding model.

    Each pool text is a query and the source's items are its candidates: code by its text,
    images by the image itself with ``open_clip``, other items by the mean of their paired texts.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pool: str = Field(description="JSONL file of unlinked texts, relative to the source root")
    kind: PoolKind
    text_field: str = Field(default="text", description="field holding one text or a list")
    id_field: str | None = Field(default=None, description="field with the text's own id")
    model: Literal["minilm", "open_clip"] = "minilm"
    top_k: int = Field(default=1, ge=1, description="items kept per pool text")
    threshold: float | None = Field(
        default=None, ge=-1.0, le=1.0, strict=True, allow_inf_nan=False, description="lowest cosine"
    )
    mutual_best: bool = Field(default=False, description="only texts and items best for each other")
    one_to_one: bool = Field(default=False, description="each text and item used at most once")

    @field_validator("pool")
    @classmethod
    def _pool_stays_inside(cls, value: str) -> str:
        if not value.strip() or value.startswith(("/", "~")) or ".." in value.split("/"):
            raise ValueError(f"pool {value!r} must be a file inside the root (relative, no '..')")
        return value

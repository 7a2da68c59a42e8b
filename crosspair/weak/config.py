"""The ``html`` block of an image source: which saved pages to harvest and how to judge them."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

HTML_TEXT_KINDS = ("alt_text", "figcaption", "paragraph")

_SITE_URL = re.compile(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", re.IGNORECASE)


class HtmlPages(BaseModel):
    """Saved pages of one source; their images and texts become items of that source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pages: list[str] = Field(description="globs of saved .html pages, relative to the root")
    site_url: str | None = Field(
        default=None,
        description="URL the pages were saved from; absolute image URLs under it are local",
    )
    threshold: float = Field(
        default=0.6, ge=0.0, le=1.0, description="keep a candidate at this confidence or more"
    )
    min_words: int = Field(default=3, ge=1, description="fewer words than this votes drop")
    descriptive_words: int = Field(
        default=4, ge=1, description="alt text of this many words or more votes keep"
    )
    max_page_mb: float = Field(
        default=20.0, gt=0, description="a saved page larger than this (in MB) is a reject"
    )

    @field_validator("pages")
    @classmethod
    def _globs_stay_inside(cls, patterns: list[str]) -> list[str]:
        if not patterns:
            raise ValueError("needs at least one glob of saved pages, e.g. 'pages/**/*.html'")
        for pattern in patterns:
            if not pattern.strip():
                raise ValueError("a glob is empty; write e.g. 'pages/*.html'")
            if pattern.startswith(("/", "~")) or ".." in pattern.split("/"):
                raise ValueError(f"glob {pattern!r} must stay inside the root (relative, no '..')")
        return patterns

    @field_validator("threshold")
    @classmethod
    def _threshold_keeps_something_out(cls, value: float) -> float:
        if value == 0:
            raise ValueError(
                "must be more than 0: at 0 every text is kept, even one a veto dropped "
                "(confidence 0); e.g. 0.6"
            )
        return value

    @field_validator("site_url")
    @classmethod
    def _site_url_is_http(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if not _SITE_URL.match(value):
            raise ValueError(
                f"{value!r} is not an http(s) URL of a site, e.g. 'https://example.org/blog/'"
            )
        return value if value.endswith("/") else value + "/"

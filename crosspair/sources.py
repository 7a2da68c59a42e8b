"""The sources file: which raw sets go into a build and how to read each one.

A sources file is YAML with a list of sources. Each source names one modality, a root folder,
the globs of its media files, and where the other side of its pairs lives (a JSONL manifest
of captions, transcripts, descriptions or docstrings; subtitle and audio side files).

>>> cfg = load_sources("sources.yaml")      # doctest: +SKIP
>>> [s.name for s in cfg.sources]           # doctest: +SKIP
['coco_captions', 'speech', ...]
"""

from __future__ import annotations

import fnmatch
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from crosspair.semantic.config import Match
from crosspair.storable import is_storable
from crosspair.weak.config import HtmlPages

MEDIA_MODALITIES = ("image", "audio", "video", "mesh", "sensor", "code")
TEXT_KINDS = ("caption", "transcript", "description", "docstring")
CLOCKS = ("boot_s", "boot_us", "utc_ms", "utc_us", "gps_week_s")

Modality = Literal["image", "audio", "video", "mesh", "sensor", "code"]
TextKind = Literal["caption", "transcript", "description", "docstring"]
Clock = Literal["boot_s", "boot_us", "utc_ms", "utc_us", "gps_week_s"]
GPS_CLOCK = "gps_week_s"  # its time column names two: "week,seconds_of_week"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_NAME_LENGTH = 64


class SourcesError(ValueError):
    """A sources file that cannot be used; the message names the file, source and field."""


def _texts_in(value: object) -> Iterator[str]:
    """Every string in a field's value: itself, or inside lists, mappings and blocks."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_in(key)
            yield from _texts_in(item)
    elif isinstance(value, BaseModel):  # blocks defined elsewhere (match, html)
        yield from _texts_in(value.model_dump())


def _has_control_character(text: str) -> bool:
    """True for a control character other than tab or newline."""
    return any(unicodedata.category(char) == "Cc" and char not in "\t\n" for char in text)


def _visible(text: str) -> str:
    """``text`` without white space and invisible format characters (zero-width, bidi marks)."""
    return "".join(c for c in text if not c.isspace() and unicodedata.category(c) != "Cf")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_unicode(cls, value: object) -> object:
        # YAML's "\ud800" escapes decode to lone surrogates, which no file or table can hold
        texts = list(_texts_in(value))
        if not all(is_storable(text) for text in texts):
            raise ValueError("holds a lone surrogate escape such as \\ud800; remove it")
        # a NUL or escape character cannot be in a path and hides in cards and tables
        if any(_has_control_character(text) for text in texts):
            raise ValueError("holds a control character such as NUL (\\0); remove it")
        return value


class Manifest(_Strict):
    """A JSONL file whose records link media items to their text (or hold code records)."""

    path: str = Field(description="JSONL file, relative to the source root")
    kind: TextKind
    media_field: str | None = Field(
        default=None, description="field holding the media path, relative to the source root"
    )
    text_field: str = Field(description="field holding one text or a list of texts")
    id_field: str | None = Field(default=None, description="field with the record's own id")
    code_fields: list[str] = Field(
        default_factory=list, description="code sources: fields joined into the code item"
    )
    licence_field: str | None = None
    subject_field: str | None = None
    language_field: str | None = None


class Sidecars(_Strict):
    """Files next to a video that belong to it: subtitles and separate audio tracks."""

    subtitles: list[str] = Field(default_factory=list, description="globs of SRT files")
    audio: list[str] = Field(default_factory=list, description="globs of external audio files")


class StreamClock(_Strict):
    """How a sensor stream stamps its samples."""

    time_column: str
    clock: Clock


class SensorClock(StreamClock):
    """How a source's sensor streams stamp their samples; ``streams`` names the exceptions.

    A log whose files use different clocks (an IMU in seconds since boot, a GPS receiver in
    microseconds) is still one source, so its streams are paired on one clock.
    """

    streams: dict[str, StreamClock] = Field(
        default_factory=dict,
        description="glob of files (relative to root) -> their own time_column and clock",
    )

    @field_validator("streams")
    @classmethod
    def _globs_are_relative(cls, streams: dict[str, StreamClock]) -> dict[str, StreamClock]:
        for pattern in streams:
            if not pattern.strip() or pattern.startswith("/") or ".." in pattern.split("/"):
                raise ValueError(
                    f"glob {pattern!r} must name files inside the root (e.g. 'gps*.csv')"
                )
        return streams

    def matching_streams(self, relative_path: str) -> list[str]:
        """The ``streams`` globs that match one file, in the order of the sources file."""
        return [p for p in self.streams if fnmatch.fnmatchcase(relative_path, p)]

    def for_file(self, relative_path: str) -> dict[str, str]:
        """The time column and clock of one file: the first matching glob's, else the source's."""
        for pattern in self.matching_streams(relative_path):
            return self.streams[pattern].model_dump()
        return {"time_column": self.time_column, "clock": self.clock}


class Source(_Strict):
    """One raw set: a modality, its files, the other side of its pairs, licence and origin."""

    name: str
    modality: Modality
    root: str = Field(description="folder of the source, relative to the sources file")
    files: list[str] = Field(default_factory=list, description="globs of media items")
    licence: str
    origin: str
    manifest: Manifest | None = None
    subject_pattern: str | None = Field(
        default=None, description="regex with a group 'subject' matched against the file stem"
    )
    subject_constant: str | None = Field(
        default=None, description="one person behind every item of the source"
    )
    sidecars: Sidecars = Field(default_factory=Sidecars)
    extract_audio: bool = Field(default=True, description="video: pair it with its own audio")
    sensor: SensorClock | None = None
    match: Match | None = Field(default=None, description="unlinked texts to pair by a model")
    html: HtmlPages | None = Field(
        default=None, description="image sources: saved pages whose images and texts to harvest"
    )

    @field_validator("name")
    @classmethod
    def _name_is_identifier(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError("use lower case letters, digits and '_', starting with a letter")
        if len(value) > MAX_NAME_LENGTH:  # it names files and folders of the build
            raise ValueError(f"is {len(value)} characters long; use at most {MAX_NAME_LENGTH}")
        return value

    @field_validator("licence", "origin")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not _visible(value):
            raise ValueError("is empty; every item carries it (e.g. 'CC-BY-4.0', a URL)")
        return value

    @field_validator("files")
    @classmethod
    def _globs_are_relative(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if not pattern.strip():
                raise ValueError("a glob is empty; write e.g. 'images/*.jpg'")
            if pattern.startswith("/") or ".." in pattern.split("/"):
                raise ValueError(f"glob {pattern!r} must stay inside the root (relative, no '..')")
            if any(unicodedata.category(char) == "Cf" for char in pattern):
                raise ValueError(
                    f"glob {pattern!r} holds invisible characters (zero-width, bidi marks); "
                    "type it again"
                )
        return patterns

    @field_validator("subject_pattern")
    @classmethod
    def _pattern_has_subject_group(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            compiled = re.compile(value)
        except re.error as err:
            raise ValueError(f"not a regular expression: {err}") from err
        if "subject" not in compiled.groupindex:
            raise ValueError("needs a named group '(?P<subject>...)'")
        return value

    @field_validator("html")
    @classmethod
    def _html_is_for_images(cls, value: HtmlPages | None, info: ValidationInfo):
        modality = info.data.get("modality")
        if value is not None and modality not in (None, "image"):
            raise ValueError(f"saved pages are harvested for image sources, not {modality}")
        return value

    @model_validator(mode="after")
    def _sides_fit_the_modality(self) -> Source:
        if self.modality == "code":
            if self.manifest is None or not self.manifest.code_fields:
                raise ValueError("a code source needs 'manifest' with 'code_fields'")
        elif not self.files and self.html is None:
            pages = " or 'html' (saved pages)" if self.modality == "image" else ""
            raise ValueError(f"a {self.modality} source needs 'files' (globs of its media){pages}")
        if self.modality == "sensor" and self.sensor is None:
            raise ValueError("a sensor source needs 'sensor' with 'time_column' and 'clock'")
        if self.manifest is not None and self.modality != "code" and not self.manifest.media_field:
            raise ValueError("'manifest.media_field' is required to link texts to media")
        return self


class SourcesConfig(_Strict):
    """The whole sources file, with roots resolved against the file's folder."""

    version: Literal[1] = 1
    sources: list[Source]
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _names_are_unique(self) -> SourcesConfig:
        seen: set[str] = set()
        for source in self.sources:
            if source.name in seen:
                raise ValueError(f"source name '{source.name}' is used twice")
            seen.add(source.name)
        return self

    def root_of(self, source: Source) -> Path:
        """Absolute root folder of a source."""
        return (self.base_dir / source.root).resolve()

    def by_name(self, name: str) -> Source:
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(f"no source named '{name}'")


def _describe(err: ValidationError, raw: dict, path: Path) -> str:
    lines = [f"{path}: invalid sources file"]
    for problem in err.errors():
        loc = list(problem["loc"])
        where = "top level"
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int):
            index = loc[1]
            entries = raw.get("sources") or []
            entry = entries[index] if index < len(entries) else None
            name = entry.get("name", f"#{index}") if isinstance(entry, dict) else f"#{index}"
            field = ".".join(str(part) for part in loc[2:]) or "(the source itself)"
            where = f"source '{name}', field '{field}'"
        elif loc:
            where = f"field '{'.'.join(str(part) for part in loc)}'"
        lines.append(f"  - {where}: {problem['msg']}")
    lines.append("  Fix the entries above; docs/sources.md lists every field.")
    return "\n".join(lines)


def parse_sources(raw: dict, *, base_dir: Path, origin: Path | str = "<sources>") -> SourcesConfig:
    """Validate an already-loaded sources mapping."""
    if not isinstance(raw, dict) or "sources" not in raw:
        raise SourcesError(f"{origin}: expected a mapping with a 'sources' list")
    try:
        return SourcesConfig.model_validate({**raw, "base_dir": Path(base_dir)})
    except ValidationError as err:
        raise SourcesError(_describe(err, raw, Path(origin))) from None


def load_sources(path: str | Path) -> SourcesConfig:
    """Read and validate a sources file; roots are relative to the file's folder."""
    path = Path(path)
    if not path.is_file():
        raise SourcesError(f"{path}: sources file not found; pass `--sources PATH`")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise SourcesError(f"{path}: not UTF-8 text; save the sources file as UTF-8") from None
    except yaml.YAMLError as err:
        raise SourcesError(f"{path}: not valid YAML: {err}") from None
    config = parse_sources(raw, base_dir=path.resolve().parent, origin=path)
    for source in config.sources:
        try:
            root = config.root_of(source)
            is_folder = root.is_dir()
        except OSError as err:  # a name too long for the file system, say
            raise SourcesError(
                f"{path}: source '{source.name}', field 'root': {err.strerror or err}"
            ) from None
        if not is_folder:
            raise SourcesError(
                f"{path}: source '{source.name}', field 'root': folder {root} does not exist"
            )
        if source.manifest is not None:
            manifest = (root / source.manifest.path).resolve()
            if not manifest.is_relative_to(root):
                raise SourcesError(
                    f"{path}: source '{source.name}', field 'manifest.path': "
                    f"{source.manifest.path!r} leaves the source root; keep it inside {root}"
                )
            if not manifest.is_file():
                raise SourcesError(
                    f"{path}: source '{source.name}', field 'manifest.path': {manifest} "
                    "does not exist"
                )
        if source.match is not None and not (root / source.match.pool).is_file():
            raise SourcesError(
                f"{path}: source '{source.name}', field 'match.pool': {root / source.match.pool} "
                "is not a file; write the pool's JSONL there or fix the path"
            )
    return config


def time_columns(time_column: str, clock: str) -> list[str]:
    """The columns a stream's time is in: one, or week and seconds of week on ``GPS_CLOCK``.

    A ``GPS_CLOCK`` time column that does not name two columns is a ``ValueError``.
    """
    if clock != GPS_CLOCK:
        return [time_column]
    columns = [name.strip() for name in time_column.split(",")]
    if len(columns) != 2 or not all(columns):
        raise ValueError(
            f"a {GPS_CLOCK} stream names two time columns as 'week,seconds_of_week', got "
            f"{time_column!r}"
        )
    return columns

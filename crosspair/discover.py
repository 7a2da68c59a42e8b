"""Find every item of every source: media files, manifest records and side files.

Discovery decides nothing about content; it only turns a sources file into candidates (to be
decoded by the probes) and rejects for what cannot even be located: paths that leave the
source root, symlinks that escape it, files a manifest names but that are missing, duplicate
records and empty texts. Every item found ends up in exactly one of the two lists.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from crosspair.ids import item_id
from crosspair.items import Candidate, reject_row
from crosspair.jsonl import line_id, read_records, repeated_id
from crosspair.pairing import side_file_base
from crosspair.semantic.pool import pool_candidates
from crosspair.sources import Source, SourcesConfig
from crosspair.storable import is_storable

log = logging.getLogger(__name__)

_LANGUAGE_TAG = re.compile(r"\.([a-z]{2,3})$")


@dataclass
class Discovery:
    """Candidates to decode and rejects found before decoding."""

    candidates: list[Candidate] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    erased: dict[str, int] = field(default_factory=dict)

    def extend(self, other: Discovery) -> None:
        self.candidates.extend(other.candidates)
        self.rejects.extend(other.rejects)
        for source, count in other.erased.items():
            self.erased[source] = self.erased.get(source, 0) + count


class _SourceWalker:
    """Discovery of one source; keeps the state that links records to media."""

    def __init__(self, source: Source, root: Path):
        self.source = source
        self.root = root
        self.out = Discovery()
        self.media: dict[str, Candidate] = {}
        self.rejected: list[Candidate] = []  # the candidates behind out.rejects, in order

    # -- locating files -------------------------------------------------------------------

    def _candidate(
        self,
        modality,
        rel,
        *,
        record_key="",
        abs_path=None,
        licence=None,
        subjects="",
        payload=None,
    ) -> Candidate:
        return Candidate(
            item_id=item_id(self.source.name, rel, record_key),
            source=self.source.name,
            modality=modality,
            path=rel,
            record_key=record_key,
            abs_path=abs_path,
            licence=licence or self.source.licence,
            subject_ids=subjects,
            payload=payload or {},
        )

    def _reject(self, candidate: Candidate, reason: str, detail: str) -> None:
        self.rejected.append(candidate)
        self.out.rejects.append(reject_row(candidate, "discover", reason, detail))

    def _locate(self, rel: str) -> tuple[str | None, str, str]:
        """Check a path named by a glob or a manifest: (abs path or None, reason, detail)."""
        if "\x00" in rel:
            return None, "invalid_record", f"path {rel!r} contains a NUL byte"
        # "~" is an ordinary first character here: nothing expands it, the path is joined
        # onto the root like any other
        if os.path.isabs(rel):
            return (
                None,
                "path_outside_root",
                f"absolute path {rel!r} in source '{self.source.name}'",
            )
        joined = os.path.normpath(os.path.join(self.root, rel))
        if not joined.startswith(str(self.root) + os.sep):
            return (
                None,
                "path_outside_root",
                (
                    f"{rel!r} leaves the root {self.root} of source '{self.source.name}'; "
                    "paths in manifests must stay inside the source folder"
                ),
            )
        real = os.path.realpath(joined)
        if not real.startswith(str(self.root) + os.sep):
            return (
                None,
                "symlink_outside_root",
                (
                    f"{rel!r} is a symlink to {real}, outside the root of source "
                    f"'{self.source.name}'"
                ),
            )
        if not os.path.isfile(real):
            return (
                None,
                "missing_file",
                f"{joined} does not exist (named in source '{self.source.name}')",
            )
        return joined, "", ""

    def _subjects(self, rel: str, record: dict | None = None) -> str:
        found: set[str] = set()
        manifest = self.source.manifest
        if record is not None and manifest is not None and manifest.subject_field:
            value = record.get(manifest.subject_field)
            values = value if isinstance(value, list) else [value]
            found.update(str(v) for v in values if v not in (None, ""))
        if self.source.subject_pattern:
            match = re.match(self.source.subject_pattern, Path(rel).stem)
            if match and match.group("subject"):
                found.add(match.group("subject"))
        if self.source.subject_constant:
            found.add(self.source.subject_constant)
        return ";".join(sorted(s.replace(";", "_") for s in found))

    def _add_media(
        self, modality: str, rel: str, record: dict | None = None, licence: str | None = None
    ) -> Candidate | None:
        rel = Path(rel).as_posix()
        if rel in self.media:
            return self.media[rel]
        abs_path, reason, detail = self._locate(rel)
        payload = {}
        if modality == "sensor" and self.source.sensor is not None:
            payload = self.source.sensor.for_file(rel)
            if abs_path is not None:
                reason, detail = self._clock_conflict(rel) or (reason, detail)
        candidate = self._candidate(
            modality,
            rel,
            abs_path=abs_path,
            licence=licence,
            subjects=self._subjects(rel, record),
            payload=payload,
        )
        self.media[rel] = candidate
        if abs_path is None or reason:
            self._reject(candidate, reason, detail)
            return None
        self.out.candidates.append(candidate)
        return candidate

    def _clock_conflict(self, rel: str) -> tuple[str, str] | None:
        """A reject reason when two ``sensor.streams`` globs give one file different clocks."""
        sensor = self.source.sensor
        patterns = sensor.matching_streams(rel)
        if len({sensor.streams[p] for p in patterns}) < 2:
            return None
        return "ambiguous_clock", (
            f"{rel} matches sensor.streams globs {', '.join(map(repr, patterns))} of source "
            f"'{self.source.name}', which give it different clocks; make the globs match "
            "each file once"
        )

    def _warn_unused_stream_globs(self) -> None:
        sensor = self.source.sensor
        used = {
            pattern
            for rel, candidate in self.media.items()
            if candidate.modality == "sensor"
            for pattern in sensor.matching_streams(rel)
        }
        for pattern in sensor.streams:
            if pattern not in used:
                log.warning(
                    "source %s: sensor.streams glob %r matches none of its sensor files, so "
                    "they all keep the source's clock; fix the glob in the sources file",
                    self.source.name,
                    pattern,
                )

    def _glob(self, patterns: list[str], skip: set[str] = frozenset()) -> list[str]:
        found: set[str] = set()
        for pattern in patterns:
            matched = False
            for path in self.root.glob(pattern):
                if path.is_dir():
                    continue
                matched = True
                rel = path.relative_to(self.root).as_posix()
                if not is_storable(rel):
                    self._reject_undecodable(rel)
                elif rel not in skip:
                    found.add(rel)
            if not matched:
                log.warning(
                    "source %s: glob %r matches no file in %s", self.source.name, pattern, self.root
                )
        return sorted(found)

    def _reject_undecodable(self, rel: str) -> None:
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        if any(row["path"] == shown for row in self.out.rejects):
            return
        candidate = self._candidate(self.source.modality, shown)
        self._reject(
            candidate, "invalid_record", f"file name {shown!r} is not valid UTF-8; rename the file"
        )

    # -- walking a source -----------------------------------------------------------------

    def walk(self, is_erased: Callable[[Candidate], bool] | None = None) -> Discovery:
        if self.source.manifest is not None:
            self._walk_manifest()
        if self.source.match is not None:  # unlinked texts, paired later by a model
            self.out.candidates += pool_candidates(self.source, self.root, self._reject)
        subtitles = self._glob(self.source.sidecars.subtitles)
        side_audio = self._glob(self.source.sidecars.audio)
        # A side file matched by the media globs too (files: ["*"]) is a side file only.
        for rel in self._glob(self.source.files, skip=set(subtitles) | set(side_audio)):
            self._add_media(self.source.modality, rel)
        if self.source.html is not None:
            self._walk_html_pages()
        for rel in side_audio:
            if rel not in self.media:
                self._add_media("audio", rel)
        for rel in subtitles:
            self._add_subtitles(rel)
        if self.source.sensor is not None:
            self._warn_unused_stream_globs()
        if is_erased is not None:
            self._drop_erased(is_erased)
        log.info(
            "source %s: %d candidates, %d rejects at discovery",
            self.source.name,
            len(self.out.candidates),
            len(self.out.rejects),
        )
        return self.out

    def _walk_html_pages(self) -> None:
        """Images and their alt texts, figcaptions and paragraphs from saved pages."""
        from crosspair.weak.discovery import harvest_pages  # parses HTML only when asked

        found = harvest_pages(
            self.source, self.root, self.media, self._subjects, rejected=self.out.rejects
        )
        self.out.candidates.extend(found.candidates)
        for candidate, row in found.rejects:
            self.rejected.append(candidate)
            self.out.rejects.append(row)

    def _drop_erased(self, is_erased: Callable[[Candidate], bool]) -> None:
        """Leave out erased items and everything attached to them, keeping no trace but a count.

        Erased items must not reach any table, not even rejects, so they are dropped here
        rather than rejected: a text goes with its media (or code record), and side files go
        with the video whose stem they carry.
        """
        everything = self.out.candidates + self.rejected
        erased = {c.item_id for c in everything if is_erased(c)}
        anchors = {
            c.record_key if c.modality == "code" else c.path
            for c in everything
            if c.item_id in erased and c.modality != "text"
        }
        video_stems = {
            Path(c.path).stem for c in everything if c.item_id in erased and c.modality == "video"
        }

        def gone(candidate: Candidate) -> bool:
            if candidate.item_id in erased:
                return True
            if candidate.payload.get("anchor") in anchors:
                return True
            return (
                bool(video_stems)
                and candidate.abs_path is not None
                and (
                    candidate.modality in ("text", "audio")
                    and side_file_base(candidate.path) in video_stems
                )
            )

        kept = [c for c in self.out.candidates if not gone(c)]
        kept_rejects = [
            (c, row) for c, row in zip(self.rejected, self.out.rejects, strict=True) if not gone(c)
        ]
        dropped = len(everything) - len(kept) - len(kept_rejects)
        self.out.candidates = kept
        self.rejected = [c for c, _ in kept_rejects]
        self.out.rejects = [row for _, row in kept_rejects]
        if dropped:
            self.out.erased[self.source.name] = dropped
            log.info("source %s: %d erased items left out", self.source.name, dropped)

    def _add_subtitles(self, rel: str) -> None:
        abs_path, reason, detail = self._locate(rel)
        stem = Path(rel).stem
        tag = _LANGUAGE_TAG.search(stem)
        payload = {"kind": "subtitles", "anchor": "", "language": tag.group(1) if tag else ""}
        candidate = self._candidate("text", rel, abs_path=abs_path, payload=payload)
        if abs_path is None:
            self._reject(candidate, reason, detail)
        else:
            self.out.candidates.append(candidate)

    def _records(self):
        """Yield (line number, record or None, error) for each non-blank manifest line."""
        manifest = self.source.manifest
        path = self.root / manifest.path
        if not path.is_file():
            raise FileNotFoundError(
                f"source '{self.source.name}': manifest {path} not found; "
                "fix 'manifest.path' in the sources file"
            )
        yield from read_records(path)

    def _walk_manifest(self) -> None:
        manifest = self.source.manifest
        seen_keys: dict[str, int] = {}
        for number, record, error in self._records():
            if record is None:
                placeholder = self._candidate("text", manifest.path, record_key=line_id(number))
                self._reject(placeholder, "invalid_record", f"{manifest.path} {error}")
                continue
            if self.source.modality == "code":
                self._code_record(number, record, seen_keys)
            else:
                self._media_record(number, record, seen_keys)

    def _texts(self, record: dict) -> list:
        value = record.get(self.source.manifest.text_field)
        if value is None:
            return [""]
        # an empty list is no text: the item stays, and unpaired_items says nothing names it
        return value if isinstance(value, list) else [value]

    def _media_record(self, number: int, record: dict, seen: dict[str, int]) -> None:
        manifest = self.source.manifest
        media_rel = record.get(manifest.media_field)
        texts = self._texts(record)
        if not isinstance(media_rel, str) or not media_rel:
            placeholder = self._candidate("text", manifest.path, record_key=line_id(number))
            self._reject(
                placeholder,
                "invalid_record",
                f"{manifest.path} line {number}: field '{manifest.media_field}' "
                + (
                    "is missing"
                    if media_rel in (None, "")
                    else f"is not a file path (got {media_rel!r}); write the path as text"
                ),
            )
            return
        media_rel = os.path.normpath(media_rel).replace(os.sep, "/")
        record_id = _field_text(record, manifest.id_field)
        key = media_rel if not record_id else f"{media_rel}|{record_id}"
        first = seen.get(media_rel) or (seen.get(f"id:{record_id}") if record_id else None)
        licence = _field_text(record, manifest.licence_field) or None
        language = str(record.get(manifest.language_field) or "") if manifest.language_field else ""

        media = None
        if first is None:
            seen[media_rel] = number
            if record_id:
                seen[f"id:{record_id}"] = number
            media = self._add_media(self.source.modality, media_rel, record, licence)
        if first is not None:
            key = f"{key}@line{number}"  # a repeated record keeps its own ids
        for index, text in enumerate(texts):
            candidate = self._candidate(
                "text",
                manifest.path,
                record_key=f"{key}#{index}",
                licence=licence,
                subjects=self._subjects(media_rel, record),
                payload={
                    "text": "" if text is None else text,  # the probe rejects what is not text
                    "kind": manifest.kind,
                    "anchor": media_rel,
                    "language": language,
                },
            )
            if first is not None:
                self._reject(
                    candidate,
                    "duplicate_record",
                    f"{manifest.path} line {number} repeats the record of line {first} "
                    f"({media_rel}); remove one of them",
                )
            elif media is None:
                self._reject(
                    candidate,
                    "missing_file",
                    f"{manifest.path} line {number}: its media {media_rel!r} could not be used",
                )
            else:
                self.out.candidates.append(candidate)

    def _code_record(self, number: int, record: dict, seen: dict[str, int]) -> None:
        manifest = self.source.manifest
        record_id = _field_text(record, manifest.id_field) or line_id(number)
        parts = [record.get(name) for name in manifest.code_fields]
        # A field that is not text (a number, a list) leaves the code unusable: the probe
        # rejects a non-string code as invalid_record rather than exporting "12345" as code.
        code = (
            "".join(part or "" for part in parts)
            if all(part is None or isinstance(part, str) for part in parts)
            else parts
        )
        texts = self._texts(record)
        subjects = self._subjects(record_id, record)
        licence = _field_text(record, manifest.licence_field) or None
        code_candidate = self._candidate(
            "code",
            manifest.path,
            record_key=record_id,
            licence=licence,
            subjects=subjects,
            payload={
                "code": code,
                "entry_point": str(record.get("entry_point") or ""),
                "language": "python",
            },
        )
        text_candidates = [
            self._candidate(
                "text",
                manifest.path,
                record_key=f"{record_id}#{index}",
                licence=licence,
                subjects=subjects,
                payload={
                    "text": "" if text is None else text,  # the probe rejects what is not text
                    "kind": manifest.kind,
                    "anchor": record_id,
                    "language": "en",
                },
            )
            for index, text in enumerate(texts)
        ]
        if record_id in seen:
            code_candidate = replace(
                code_candidate,
                record_key=f"{record_id}@line{number}",
                item_id=item_id(self.source.name, manifest.path, f"{record_id}@line{number}"),
            )
            text_candidates = [
                replace(
                    c,
                    record_key=f"{c.record_key}@line{number}",
                    item_id=item_id(
                        self.source.name, manifest.path, f"{c.record_key}@line{number}"
                    ),
                )
                for c in text_candidates
            ]
            detail = repeated_id(manifest.path, number, record_id, seen[record_id])
            for candidate in [code_candidate, *text_candidates]:
                self._reject(candidate, "duplicate_record", detail)
            return
        seen[record_id] = number
        self.out.candidates.extend([code_candidate, *text_candidates])


def discover(
    config: SourcesConfig,
    only: list[str] | None = None,
    is_erased: Callable[[Candidate], bool] | None = None,
) -> Discovery:
    """Walk the sources (or the named ones) in file order.

    ``is_erased`` marks items a person asked to erase: they and what hangs on them are left
    out entirely (counted in ``Discovery.erased``), not rejected.
    """
    result = Discovery()
    for source in config.sources:
        if only is not None and source.name not in only:
            continue
        result.extend(_SourceWalker(source, config.root_of(source)).walk(is_erased))
    return result


def _field_text(record: dict, field_name: str | None) -> str:
    """A manifest field as text; absent, null or empty gives ""."""
    if not field_name:
        return ""
    value = record.get(field_name)
    return "" if value is None else str(value)

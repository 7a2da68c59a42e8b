"""Where judgements are: the ``annotations`` setting → files, and one file → what it holds.

The setting names a folder (every ``.json`` and ``.csv`` under it), one file or a glob, relative
to the working folder. Only the default folder, ``annotations/``, may be missing, and any
location written ``optional:<location>`` (how the DVC stage names the source data's folder);
any other location that does not exist is an error, so a typo does not pass for "no judgements".

>>> files, note = find_annotation_files("optional:data/my_input/annotations")  # doctest: +SKIP
"""

from __future__ import annotations

import glob
from pathlib import Path, PurePath

from crosspair.annotation.csv_import import read_csv_judgements
from crosspair.annotation.label_studio import read_label_studio
from crosspair.annotation.records import AnnotationFileError, ParsedFile

DEFAULT_LOCATION = "annotations/"
OPTIONAL = "optional:"
SUFFIXES = (".json", ".csv")
_GLOB_CHARACTERS = set("*?[")
_SETTING = "the annotations setting (env CROSSPAIR_ANNOTATIONS)"


def find_annotation_files(spec: str, base: str | Path = ".") -> tuple[list[Path], str]:
    """Annotation files named by ``spec`` (a glob, a folder or a file, relative to ``base``).

    Returns the files, sorted, and a note for people: what was searched, and why nothing was
    found when nothing was. Raises ``AnnotationFileError`` for a location that must exist and
    does not.
    """
    base = Path(base)
    optional = spec.startswith(OPTIONAL) or PurePath(spec) == PurePath(DEFAULT_LOCATION)
    spec = spec.removeprefix(OPTIONAL)
    if _GLOB_CHARACTERS & set(spec):
        root = _glob_root(spec)
        if not optional and not (base / root).is_dir():
            raise _missing(str(root), spec, base)
        matches = sorted(glob.glob(spec, root_dir=base, recursive=True))
        files = [base / name for name in matches if (base / name).is_file()]
        return files, f"{len(files)} file(s) match {spec}" if files else f"no file matches {spec}"
    path = base / spec
    if path.is_file():
        return [path], f"one file: {spec}"
    if not path.is_dir():
        if not optional:
            raise _missing(spec, spec, base)
        return [], f"no judgements: {spec} does not exist"
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    if not files:
        return [], f"no judgements: no .json or .csv file in {spec}"
    return files, f"{len(files)} file(s) in {spec}"


def read_annotation_file(
    path: Path, choice_name: str | None = None, display_path: str | None = None
) -> ParsedFile:
    """Read one file by its suffix: ``.json`` is a Label Studio export, ``.csv`` a table."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise AnnotationFileError(
            path, "file name", f"unknown kind of file '{suffix}'", "use a .json or .csv file"
        )
    try:
        if suffix == ".json":
            return read_label_studio(path, choice_name, display_path)
        return read_csv_judgements(path, display_path)
    except OSError as err:
        raise AnnotationFileError(
            path, "file", f"cannot be read ({err.strerror})", "check that it is a readable file"
        ) from None


def _glob_root(spec: str) -> PurePath:
    """The folder a glob searches: its parts before the first one with a wildcard."""
    parts = PurePath(spec).parts
    fixed = next(n for n, part in enumerate(parts) if _GLOB_CHARACTERS & set(part))
    return PurePath(*parts[:fixed]) if fixed else PurePath(".")


def _missing(location: str, spec: str, base: Path) -> AnnotationFileError:
    under = "" if PurePath(location).is_absolute() else f" in {base.resolve()}"
    return AnnotationFileError(
        location,
        _SETTING,
        f"no such file or folder{under}",
        f"correct the setting, create the folder, or write it as {OPTIONAL}{spec} "
        "to read it only when it exists",
    )

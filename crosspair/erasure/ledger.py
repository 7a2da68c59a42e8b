"""The erasure ledger: an append-only record of who asked to erase whom, when and why.

The ledger is committed to git, which is shared more widely than the data, so it must not
itself name the person. Subject ids and item ids are stored as keyed hashes (HMAC-SHA256)
under a secret key kept beside the ledger but out of git (``ledger.key``, or the file named
by ``CROSSPAIR_ERASURE_KEY_FILE``). A plain or salted hash would not do: subject ids are
small (a LibriSpeech speaker number, an employee id), so anyone holding the ledger and a
public salt could hash every candidate and find the person. With a secret key the ledger
alone reveals nothing, while ingest (which holds the key) can still recognise the erased
items. Without the key a non-empty ledger cannot be matched, so ingest refuses to run rather
than silently letting erased people back in.

Each line carries the sha256 of the line before it, so an edited or deleted line is caught
when the ledger is read. Request ids are keyed hashes of the request itself, so asking twice
(or rerunning an interrupted erasure) finds the first entry instead of appending another.

>>> ledger = Ledger("erasure/ledger.jsonl")  # doctest: +SKIP
>>> entry, created = ledger.append(["61"], [], "dpo@example.org", "Art. 17")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from crosspair.erasure.files import write_atomic
from crosspair.items import Candidate

log = logging.getLogger(__name__)

DEFAULT_LEDGER = "erasure/ledger.jsonl"
KEY_ENV = "CROSSPAIR_ERASURE_KEY_FILE"
KEY_NAME = "ledger.key"
# private, temporary state of an erasure in progress (see crosspair.erasure.plan)
WORK_DIR = ".work"
GITIGNORE_LINES = (KEY_NAME, f"{WORK_DIR}/")


class LedgerError(RuntimeError):
    """The ledger cannot be read or trusted; the message names the file and the fix."""


@dataclass(frozen=True)
class LedgerEntry:
    """One erasure request, with the ids it covers as keyed hashes only."""

    request_id: str
    requested_at: str
    requested_by: str
    reason: str
    subject_hashes: tuple[str, ...]
    item_hashes: tuple[str, ...]
    key_id: str
    prev: str

    def line(self) -> str:
        record = asdict(self)
        record["subject_hashes"] = list(self.subject_hashes)
        record["item_hashes"] = list(self.item_hashes)
        return json.dumps(record, sort_keys=True, ensure_ascii=False)


def key_path(ledger: str | Path) -> Path:
    """Where the ledger's secret key lives: ``$CROSSPAIR_ERASURE_KEY_FILE`` or beside the ledger."""
    override = os.environ.get(KEY_ENV)
    return Path(override) if override else Path(ledger).with_name(KEY_NAME)


def ensure_key(ledger: str | Path) -> bytes:
    """The ledger's key, made (32 random bytes, mode 0600) and git-ignored on first use."""
    path = key_path(ledger)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            log.info("made the erasure key %s; back it up with your other secrets", path)
    _ignore_private_files(Path(ledger).parent)
    return _read_key(path)


def _ignore_private_files(folder: Path) -> None:
    gitignore = folder / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    missing = [line for line in GITIGNORE_LINES if line not in lines]
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(gitignore, ("\n".join([*lines, *missing]) + "\n").encode("utf-8"))


def _read_key(path: Path) -> bytes:
    text = path.read_text(encoding="utf-8").strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise LedgerError(
            f"{path}: not an erasure key (expected at least 32 hex digits); restore the key "
            f"from your secrets store or point {KEY_ENV} at it"
        )
    return key


def keyed_hash(key: bytes, kind: str, value: str) -> str:
    """HMAC-SHA256 of ``kind:value`` (kinds: ``subject``, ``item``), hex."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _key_id(key: bytes) -> str:
    return keyed_hash(key, "key-id", "")[:16]


def request_id(
    key: bytes, subject_hashes: Iterable[str], item_hashes: Iterable[str], by: str, reason: str
) -> str:
    """A stable id for a request: the same ids, requester and reason give the same id."""
    body = json.dumps([sorted(subject_hashes), sorted(item_hashes), by, reason])
    return keyed_hash(key, "request", body)[:16]


class Ledger:
    """Read, verify and append to one ledger file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _lines(self) -> list[str]:
        if not self.path.exists():
            return []
        return [line for line in self.path.read_text(encoding="utf-8").split("\n") if line]

    def entries(self) -> list[LedgerEntry]:
        """Every entry, after checking each line's link to the one before it."""
        entries, prev = [], ""
        for number, line in enumerate(self._lines(), start=1):
            try:
                record = json.loads(line)
                entry = LedgerEntry(
                    **{
                        **record,
                        "subject_hashes": tuple(record["subject_hashes"]),
                        "item_hashes": tuple(record["item_hashes"]),
                    }
                )
            except (ValueError, TypeError, KeyError) as err:
                raise LedgerError(
                    f"{self.path} line {number}: not a ledger entry ({err}); the ledger is "
                    f"append-only: restore it with `git checkout -- {self.path}`"
                ) from None
            if entry.prev != prev:
                raise LedgerError(
                    f"{self.path} line {number}: the hash chain is broken (a line before it "
                    f"was edited or removed); restore it with `git checkout -- {self.path}`"
                )
            entries.append(entry)
            prev = hashlib.sha256(line.encode("utf-8")).hexdigest()
        return entries

    def key(self, required: bool = True) -> bytes | None:
        """The key, checked against the ledger's entries; None if absent and not required."""
        path = key_path(self.path)
        if not path.exists():
            if required:
                raise LedgerError(
                    f"{path} not found: the erasure ledger {self.path} holds keyed hashes that "
                    f"cannot be matched without it; restore the key from your secrets store "
                    f"(or set {KEY_ENV})"
                )
            return None
        key = _read_key(path)
        for entry in self.entries()[:1]:
            if entry.key_id != _key_id(key):
                raise LedgerError(
                    f"{path} is not the key {self.path} was written with; restore the right "
                    f"key (or set {KEY_ENV})"
                )
        return key

    def find(self, rid: str) -> LedgerEntry | None:
        return next((entry for entry in self.entries() if entry.request_id == rid), None)

    def append(
        self,
        subjects: Iterable[str],
        items: Iterable[str],
        requested_by: str,
        reason: str,
        now: datetime | None = None,
    ) -> tuple[LedgerEntry, bool]:
        """Record a request; (entry, True) if appended, (earlier entry, False) if already there.

        The file is rewritten atomically as its old bytes plus one line, so a crash leaves
        either the old ledger or the new one, never half a line.
        """
        subjects, items = sorted(set(subjects)), sorted(set(items))
        if not subjects and not items:
            raise LedgerError("an erasure request needs at least one `--subject` or `--item`")
        if not requested_by.strip() or not reason.strip():
            raise LedgerError("an erasure request needs `--requested-by` and `--reason`")
        # an existing ledger needs its own key (a new one would not match its hashes)
        key = self.key(required=bool(self._lines())) or ensure_key(self.path)
        _ignore_private_files(self.path.parent)
        subject_hashes = sorted(keyed_hash(key, "subject", s) for s in subjects)
        item_hashes = sorted(keyed_hash(key, "item", i) for i in items)
        rid = request_id(key, subject_hashes, item_hashes, requested_by, reason)
        lines = self._lines()
        existing = self.find(rid)
        if existing is not None:
            log.info("request %s is already in %s", rid, self.path)
            return existing, False
        entry = LedgerEntry(
            request_id=rid,
            requested_at=(now or datetime.now(UTC)).isoformat(timespec="seconds"),
            requested_by=requested_by,
            reason=reason,
            subject_hashes=tuple(subject_hashes),
            item_hashes=tuple(item_hashes),
            key_id=_key_id(key),
            prev=hashlib.sha256(lines[-1].encode("utf-8")).hexdigest() if lines else "",
        )
        old = self.path.read_bytes() if self.path.exists() else b""
        if old and not old.endswith(b"\n"):
            old += b"\n"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, old + (entry.line() + "\n").encode("utf-8"))
        log.info("request %s appended to %s", rid, self.path)
        return entry, True


def erasure_predicate(ledger_path: str | Path) -> Callable[[Candidate], bool] | None:
    """``is_erased`` for :func:`crosspair.discover.discover`, or None when nothing is erased.

    An item is erased if its id, or any of its subject ids, hashes to a value in the ledger.
    """
    ledger = Ledger(ledger_path)
    entries = ledger.entries()
    if not entries:
        return None
    key = ledger.key(required=True)
    subjects = {h for entry in entries for h in entry.subject_hashes}
    items = {h for entry in entries for h in entry.item_hashes}

    @cache
    def hashed(kind: str, value: str) -> str:
        return keyed_hash(key, kind, value)

    def is_erased(candidate: Candidate) -> bool:
        if hashed("item", candidate.item_id) in items:
            return True
        return any(hashed("subject", s) in subjects for s in candidate.subject_ids.split(";") if s)

    return is_erased

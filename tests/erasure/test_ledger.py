"""The erasure ledger: append-only, ids only as keyed hashes, one entry per request."""

import hashlib

import pytest

from crosspair.erasure.ledger import (
    Ledger,
    LedgerError,
    erasure_predicate,
    key_path,
    keyed_hash,
)
from crosspair.items import Candidate

SPEAKER = "61"
ITEM = "3e07d531eda5ee7c"


@pytest.fixture
def ledger(tmp_path) -> Ledger:
    return Ledger(tmp_path / "erasure" / "ledger.jsonl")


def _candidate(item_id: str, subjects: str = "") -> Candidate:
    return Candidate(item_id, "speech", "audio", "audio/x.flac", "", None, "CC BY 4.0", subjects)


def test_ids_are_stored_only_as_keyed_hashes(ledger):
    entry, created = ledger.append([SPEAKER], [ITEM], "dpo@example.org", "Art. 17, ticket 7")
    text = ledger.path.read_text()
    key = bytes.fromhex(key_path(ledger.path).read_text().strip())

    assert created
    assert f'"{SPEAKER}"' not in text and ITEM not in text
    assert hashlib.sha256(SPEAKER.encode()).hexdigest() not in text  # not a plain hash
    assert entry.subject_hashes == (keyed_hash(key, "subject", SPEAKER),)
    assert entry.item_hashes == (keyed_hash(key, "item", ITEM),)
    assert "dpo@example.org" in text and "Art. 17, ticket 7" in text
    ignored = (ledger.path.parent / ".gitignore").read_text().split()
    assert "ledger.key" in ignored and ".work/" in ignored


def test_the_same_request_gets_the_same_id_and_one_entry(ledger):
    first, created = ledger.append([SPEAKER], [], "dpo", "Art. 17")
    again, created_again = ledger.append([SPEAKER], [], "dpo", "Art. 17")
    other, created_other = ledger.append([SPEAKER], [], "dpo", "Art. 17, second request")

    assert created and not created_again and created_other
    assert again == first
    assert other.request_id != first.request_id
    assert [e.request_id for e in ledger.entries()] == [first.request_id, other.request_id]


def test_appending_keeps_every_earlier_byte(ledger):
    ledger.append([SPEAKER], [], "dpo", "first")
    before = ledger.path.read_bytes()
    ledger.append(["1088"], [ITEM], "dpo", "second")
    after = ledger.path.read_bytes()

    assert after.startswith(before) and len(after.splitlines()) == 2


def test_an_edited_line_breaks_the_chain(ledger):
    ledger.append([SPEAKER], [], "dpo", "first")
    ledger.append(["1088"], [], "dpo", "second")
    lines = ledger.path.read_text().splitlines()
    ledger.path.write_text("\n".join([lines[0].replace("first", "edited"), lines[1]]) + "\n")

    with pytest.raises(LedgerError, match=r"line 2: the hash chain is broken.*git checkout"):
        ledger.entries()


def test_without_its_key_the_ledger_stops_ingest(ledger):
    ledger.append([SPEAKER], [], "dpo", "Art. 17")
    key_path(ledger.path).unlink()

    with pytest.raises(LedgerError, match=r"ledger\.key not found"):
        erasure_predicate(ledger.path)


def test_the_predicate_matches_an_item_id_or_any_of_its_subjects(ledger):
    assert erasure_predicate(ledger.path) is None  # no ledger: nothing is erased
    ledger.append([SPEAKER], [ITEM], "dpo", "Art. 17")
    is_erased = erasure_predicate(ledger.path)

    assert is_erased(_candidate("0" * 16, "1088;61"))
    assert is_erased(_candidate(ITEM))
    assert not is_erased(_candidate("0" * 16, "1088;610"))

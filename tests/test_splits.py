"""Splits: deterministic, leakage-free, close to the ratios, and stable as sources grow."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from crosspair.ids import item_id, pair_id, sha256_text
from crosspair.schemas import PAIRS, SPLIT_ASSIGNMENTS, SPLIT_EXCLUSIONS
from crosspair.splits import (
    assign_splits,
    leakage_groups,
    leakage_violations,
    split_moves,
    split_of,
)


class Build:
    """Hand-made image-caption pairs and the items table the splitter reads."""

    def __init__(self) -> None:
        self.pairs: list[dict] = []
        self.items: list[dict] = []

    def image(self, name: str, subjects: str = "", captions: int = 5, sha: str | None = None):
        """An image with its captions; returns the image id."""
        image = item_id("coco", f"images/{name}.jpg")
        self.items.append(
            {"item_id": image, "sha256": sha or sha256_text(name), "subject_ids": subjects}
        )
        for number in range(captions):
            self.caption(image, f"{name} caption {number}")
        return image

    def caption(self, image: str, text: str) -> str:
        caption = item_id("coco", "captions.jsonl", text)
        self.items.append({"item_id": caption, "sha256": sha256_text(text), "subject_ids": ""})
        self.pairs.append(
            {
                "pair_id": pair_id(image, caption, "manifest"),
                "group_id": image,
                "source": "coco",
                "left_id": image,
                "left_modality": "image",
                "right_id": caption,
                "right_modality": "text",
                "method": "manifest",
                "score": float("nan"),
                "params": "{}",
            }
        )
        return caption

    def tables(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        pairs = PAIRS.validate(pd.DataFrame(self.pairs))
        return pairs, pd.DataFrame(self.items).drop_duplicates("item_id")


def split_by_group(assignments: pd.DataFrame) -> pd.Series:
    per_group = assignments.groupby("group_id")["split"].unique()
    assert per_group.map(len).eq(1).all(), "a pair group was split apart"
    return per_group.map(lambda splits: splits[0])


def many_groups(build: Build, count: int, prefix: str = "img") -> list[str]:
    return [build.image(f"{prefix}{number:05d}", captions=2) for number in range(count)]


def test_same_inputs_give_identical_assignments():
    build = Build()
    many_groups(build, 300)
    pairs, items = build.tables()
    first, first_excluded = assign_splits(pairs, items)
    second, _ = assign_splits(pairs.sample(frac=1, random_state=1), items.sample(frac=1))
    SPLIT_ASSIGNMENTS.validate(first)
    SPLIT_EXCLUSIONS.validate(first_excluded)
    assert_frame_equal(first, second)
    assert first["pair_id"].is_monotonic_increasing
    assert first_excluded.empty


def test_five_captions_of_one_image_stay_together():
    build = Build()
    image = build.image("solo")
    pairs, items = build.tables()
    assignments, _ = assign_splits(pairs, items)
    assert len(assignments) == 5
    assert assignments["split"].nunique() == 1
    assert set(assignments["leakage_group"]) == {f"item:{image}"}


def test_subject_shared_across_images_keeps_them_in_one_split():
    build = Build()
    chains = []
    for number in range(100):
        # a and b share p1, b and c share p2: all three are one group
        chains.append(
            [
                build.image(f"a{number}", subjects=f"p1_{number:03d}"),
                build.image(f"b{number}", subjects=f"p1_{number:03d};p2_{number:03d}"),
                build.image(f"c{number}", subjects=f"p2_{number:03d}"),
            ]
        )
    pairs, items = build.tables()
    assignments, _ = assign_splits(pairs, items)
    split_of_image = split_by_group(assignments)
    groups = assignments.set_index("group_id")["leakage_group"]

    for number, chain in enumerate(chains):
        assert {split_of_image[image] for image in chain} == {split_of_image[chain[0]]}
        assert set(groups.loc[chain]) == {f"subject:p1_{number:03d}"}
    assert split_of_image.nunique() == 3, "100 independent groups should reach every split"


def test_near_and_exact_duplicates_stay_together():
    build = Build()
    originals = many_groups(build, 60, "orig")
    resized = [build.image(f"resized{n:03d}", captions=1) for n in range(60)]
    copies = [
        build.image(f"copy{n:03d}", captions=1, sha=sha256_text(f"orig{n:05d}")) for n in range(60)
    ]
    pairs, items = build.tables()
    near = pd.DataFrame(
        {
            "item_id": originals + resized,
            "cluster_id": [min(o, r) for o, r in zip(originals, resized, strict=True)] * 2,
        }
    )
    assignments, _ = assign_splits(pairs, items, near_duplicates=near)
    split_of_image = split_by_group(assignments)
    for original, twin, copy in zip(originals, resized, copies, strict=True):
        assert split_of_image[original] == split_of_image[twin] == split_of_image[copy]
    assert split_of_image.nunique() == 3

    groups = leakage_groups(pairs, items, near)
    assert groups["leakage_group"].nunique() == 60


def test_ratios_are_roughly_honoured_on_two_thousand_groups():
    build = Build()
    many_groups(build, 2000)
    pairs, items = build.tables()
    assignments, _ = assign_splits(pairs, items)
    share = split_by_group(assignments).value_counts(normalize=True)
    assert 0.75 <= share["train"] <= 0.85
    assert 0.07 <= share["val"] <= 0.13
    assert 0.07 <= share["test"] <= 0.13

    only_two, _ = assign_splits(pairs, items, ratios={"train": 1, "test": 1})
    share = split_by_group(only_two).value_counts(normalize=True)
    assert set(share.index) == {"train", "test"} and 0.45 <= share["train"] <= 0.55


def test_unknown_split_names_are_refused():
    build = Build()
    build.image("x")
    pairs, items = build.tables()
    with pytest.raises(ValueError, match="dev"):
        assign_splits(pairs, items, ratios={"train": 0.9, "dev": 0.1})


def test_growing_sources_move_no_existing_pair():
    build = Build()
    old_images = many_groups(build, 1000)
    pairs, items = build.tables()
    before, _ = assign_splits(pairs, items)

    # 10% more: new images, new captions on old images, and exact copies of old images that
    # show a person (which changes the old group's anchor, so its hash-split may change)
    many_groups(build, 60, "new")
    for image in old_images[:20]:
        build.caption(image, f"late caption for {image}")
    for number in range(20, 100):
        build.image(
            f"dup{number}",
            subjects=f"person{number}",
            captions=1,
            sha=sha256_text(f"img{number:05d}"),
        )
    pairs, items = build.tables()
    assert len(pairs) >= 1.1 * len(before)

    after, excluded = assign_splits(pairs, items, previous=before)
    assert excluded.empty
    assert split_moves(before, after).empty
    kept = after.set_index("pair_id").loc[before["pair_id"], "split"]
    assert kept.tolist() == before["split"].tolist()
    split_by_group(after)  # late captions joined their image's split
    assert len(after) == len(pairs)

    # without `previous` some old pairs would move: that is what `previous` prevents
    fresh, _ = assign_splits(pairs, items)
    moved = fresh.set_index("pair_id").loc[before["pair_id"], "split"] != before["split"].values
    assert moved.any()


def _two_subjects_in_different_splits() -> tuple[str, str]:
    first = "s000"
    for number in range(1, 100):
        second = f"s{number:03d}"
        if split_of(f"subject:{first}") != split_of(f"subject:{second}"):
            return first, second
    raise AssertionError("no two subjects hash apart")


def test_new_item_bridging_two_splits_is_excluded_with_its_reason(caplog):
    one, two = _two_subjects_in_different_splits()
    build = Build()
    build.image("alice", subjects=one)
    build.image("bob", subjects=two)
    pairs, items = build.tables()
    before, _ = assign_splits(pairs, items)
    assert before["split"].nunique() == 2

    bridge = build.image("alice_and_bob", subjects=f"{one};{two}", captions=2)
    pairs, items = build.tables()
    with caplog.at_level(logging.WARNING, logger="crosspair.splits"):
        after, excluded = assign_splits(pairs, items, previous=before)

    splits = ",".join(s for s in ("train", "val", "test") if s in set(before["split"]))
    bridge_pairs = sorted(pairs.loc[pairs["left_id"] == bridge, "pair_id"])
    assert excluded.to_dict("records") == [
        {"pair_id": pid, "reason": f"would_leak: bridges {splits}"} for pid in bridge_pairs
    ]
    assert_frame_equal(after, before)
    assert split_moves(before, after).empty  # a bridge made of new pairs moves nothing
    assert "would_leak" in caplog.text
    assert leakage_violations(after, pairs, items).empty


def test_leakage_violations_is_empty_for_a_clean_split_and_finds_a_broken_one():
    build = Build()
    many_groups(build, 50)
    shared = build.image("shared_a", subjects="p9")
    build.image("shared_b", subjects="p9")
    pairs, items = build.tables()
    assignments, _ = assign_splits(pairs, items)
    assert leakage_violations(assignments, pairs, items).empty

    # move one image of the subject-p9 group to another split by hand
    broken = assignments.copy()
    wrong = "test" if broken.loc[broken["group_id"] == shared, "split"].iloc[0] != "test" else "val"
    broken.loc[broken["group_id"] == shared, "split"] = wrong
    violations = leakage_violations(broken, pairs, items)
    group = broken[broken["leakage_group"] == "subject:p9"]
    assert violations.to_dict("records") == [
        {
            "leakage_group": "subject:p9",
            "splits": ";".join(s for s in ("train", "val", "test") if s in set(group["split"])),
            "n_pairs": 10,
            "pair_ids": ";".join(sorted(group["pair_id"])),
        }
    ]

    # splitting the five captions of one image is caught as well
    torn = assignments.copy()
    torn.loc[torn.index[0], "split"] = (
        "val" if torn.loc[torn.index[0], "split"] != "val" else "test"
    )
    assert len(leakage_violations(torn, pairs, items)) == 1


def _published_apart(alice_captions: int, bob_captions: int):
    """Two unrelated images whose pairs an earlier build published in train and test."""
    build = Build()
    alice = build.image("alice", captions=alice_captions)
    bob = build.image("bob", captions=bob_captions)
    pairs, items = build.tables()
    previous, _ = assign_splits(pairs, items)
    previous["split"] = previous["group_id"].map({alice: "train", bob: "test"})
    return build, alice, bob, previous


@pytest.mark.parametrize("link", ["subject", "replaced_by_copy"])
def test_old_pairs_newly_joined_across_splits_move_to_one_split(caplog, link):
    build, alice, bob, previous = _published_apart(alice_captions=3, bob_captions=2)
    late = build.caption(bob, "a caption added in this build")
    pairs, items = build.tables()
    if link == "subject":  # the same person is now known to be in both pictures
        items.loc[items["item_id"].isin([alice, bob]), "subject_ids"] = "p1"
    else:  # bob's file was replaced by a copy of alice's
        items.loc[items["item_id"] == bob, "sha256"] = sha256_text("alice")
    assert not leakage_violations(previous, pairs, items).empty  # pinning would leak forever

    with caplog.at_level(logging.WARNING, logger="crosspair.splits"):
        after, excluded = assign_splits(pairs, items, previous=previous)

    assert excluded.empty  # the late caption follows its group instead of being held out
    assert set(after["split"]) == {"train"}  # where 3 of the group's 5 old pairs were
    assert after["leakage_group"].nunique() == 1
    assert leakage_violations(after, pairs, items).empty
    bob_pairs = sorted(previous.loc[previous["group_id"] == bob, "pair_id"])
    moves = split_moves(previous, after)
    assert moves[["pair_id", "from_split", "to_split"]].to_dict("records") == [
        {"pair_id": pid, "from_split": "test", "to_split": "train"} for pid in bob_pairs
    ]
    assert late not in set(moves["pair_id"])
    assert "2 published pairs moved from test to train" in caplog.text


def test_old_pairs_joined_in_a_tie_go_where_the_group_anchor_hashes():
    build, alice, bob, previous = _published_apart(alice_captions=2, bob_captions=2)
    pairs, items = build.tables()
    items.loc[items["item_id"].isin([alice, bob]), "subject_ids"] = "p1"

    after, excluded = assign_splits(pairs, items, previous=previous)

    expected = split_of("subject:p1", {"train": 1.0, "test": 1.0})
    assert excluded.empty
    assert set(after["split"]) == {expected}
    assert len(split_moves(previous, after)) == 2
    assert leakage_violations(after, pairs, items).empty

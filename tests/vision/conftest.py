"""tests/vision run in .venv-vision (`make vision-env`); elsewhere the whole folder is skipped.

The main venv's CPU torch cannot load PyPI's torchvision, which open_clip imports, so these tests
need the second venv. Fixtures here build a tiny open_clip model and save it as a checkpoint.
"""

import importlib.util
import json
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TINY_MODEL = "crosspair-tiny-clip"
CONTEXT_LENGTH = 16
EMBED_DIM = 16

# Small enough to build in a second on a CPU; text vocabulary is the default tokenizer's.
TINY_CONFIG = {
    "embed_dim": EMBED_DIM,
    "vision_cfg": {"image_size": 32, "layers": 2, "width": 32, "head_width": 16, "patch_size": 8},
    "text_cfg": {
        "context_length": CONTEXT_LENGTH,
        "vocab_size": 49408,
        "width": 32,
        "heads": 2,
        "layers": 2,
    },
}


def _open_clip_missing() -> str | None:
    """Why open_clip cannot be used in this interpreter, or None when it can."""
    if importlib.util.find_spec("open_clip") is None:
        return "open_clip is not installed here"
    try:
        import open_clip  # noqa: F401
    except Exception as error:  # beside the CPU torch, torchvision raises RuntimeError
        return f"open_clip cannot be imported here ({error})"
    return None


def pytest_collection_modifyitems(config, items):
    reason = _open_clip_missing()
    if reason is None:
        return
    skip = pytest.mark.skip(reason=f"{reason}: run `make vision-env`, then `make test-vision`")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def tiny_model_name(tmp_path_factory) -> str:
    """The tiny architecture, registered with open_clip from a JSON config file."""
    import open_clip

    folder = tmp_path_factory.mktemp("open_clip_configs")
    (folder / f"{TINY_MODEL}.json").write_text(json.dumps(TINY_CONFIG))
    open_clip.add_model_config(folder)
    return TINY_MODEL


@pytest.fixture(scope="session")
def tiny_checkpoint(tmp_path_factory, tiny_model_name) -> Path:
    """Random but seeded weights of the tiny model, saved as a state_dict checkpoint."""
    import open_clip
    import torch

    torch.manual_seed(0)
    model = open_clip.create_model(tiny_model_name)
    path = tmp_path_factory.mktemp("checkpoints") / "tiny_clip.pt"
    torch.save(model.state_dict(), path)
    return path


@pytest.fixture(scope="session")
def coco_images(shared_data) -> list[Path]:
    """Five real COCO photos of different sizes from ../shared/data/image_text."""
    paths = sorted((shared_data / "image_text" / "images").glob("*.jpg"))[:5]
    assert len(paths) == 5
    return paths


@pytest.fixture(scope="session")
def coco_captions(shared_data) -> list[str]:
    """Every caption of the real COCO subset (200: 40 images × 5)."""
    lines = (shared_data / "image_text" / "captions.jsonl").read_text().splitlines()
    return [caption for line in lines if line.strip() for caption in json.loads(line)["captions"]]

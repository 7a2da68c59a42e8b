"""What the command line says when a build step fails: the error the user can act on."""

import asyncio
import sys
from types import SimpleNamespace

from dagster._utils.error import serializable_error_info_from_exc_info

from crosspair.cli import _cause
from crosspair.engine import EngineError


def _wrapped_failure():
    try:
        try:
            raise ValueError("annotations/bad.json is not JSON: fix line 3")
        except ValueError as inner:
            raise RuntimeError('Error occurred while executing op "annotation_import":') from inner
    except RuntimeError:
        return SimpleNamespace(error=serializable_error_info_from_exc_info(sys.exc_info()))


def test_a_failed_step_is_reported_by_its_innermost_error():
    assert _cause(_wrapped_failure()) == "ValueError: annotations/bad.json is not JSON: fix line 3"
    assert _cause(SimpleNamespace(error=None)) == "no error recorded"
    assert _cause(None) == "no error recorded"


def _engine_failure():
    """A step's failure as Dagster records it: its wrapper, our EngineError, then distributed's."""
    try:
        try:
            try:
                try:
                    raise asyncio.CancelledError()
                except asyncio.CancelledError as cancelled:
                    raise ConnectionRefusedError(111, "Connection refused") from cancelled
            except ConnectionRefusedError as refused:
                raise EngineError(
                    "dask engine at tcp://127.0.0.1:1: no Dask scheduler answered within 10 s"
                ) from refused
        except EngineError as ours:
            raise RuntimeError('Error occurred while executing op "probe":') from ours
    except RuntimeError:
        return SimpleNamespace(error=serializable_error_info_from_exc_info(sys.exc_info()))


def test_a_failed_step_is_reported_by_crosspairs_own_error_in_its_cause_chain():
    assert _cause(_engine_failure()) == (
        "crosspair.engine.EngineError: dask engine at tcp://127.0.0.1:1: "
        "no Dask scheduler answered within 10 s"
    )

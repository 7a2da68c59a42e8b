"""What the command line says when a build step fails: the error the user can act on."""

import sys
from types import SimpleNamespace

from dagster._utils.error import serializable_error_info_from_exc_info

from crosspair.cli import _cause


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

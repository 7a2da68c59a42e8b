"""The sensor that registers one 'sources' partition per source, for runs launched in the UI."""

from dagster import SensorResult, SkipReason, build_sensor_context

from dagster_project.definitions import defs
from dagster_project.partitions import SOURCE_PARTITIONS, source_partitions_sensor
from dagster_project.resources import CrosspairSettings
from tests.conftest import SHARED_SOURCES

SHARED_NAMES = ["clips", "coco_captions", "comma2k19", "humaneval", "meshes", "px4", "speech"]


def _evaluate(instance, sources):
    context = build_sensor_context(
        instance=instance, resources={"settings": CrosspairSettings(sources_path=str(sources))}
    )
    return source_partitions_sensor(context)


def test_adds_the_file_s_sources_removes_others_and_then_skips(dagster_instance, shared_data):
    instance = dagster_instance
    instance.add_dynamic_partitions(SOURCE_PARTITIONS.name, ["speech", "demo_images"])

    first = _evaluate(instance, SHARED_SOURCES)
    assert isinstance(first, SensorResult)
    add, delete = first.dynamic_partitions_requests
    assert add.partitions_def_name == delete.partitions_def_name == "sources"
    assert sorted(add.partition_keys) == [n for n in SHARED_NAMES if n != "speech"]
    assert list(delete.partition_keys) == ["demo_images"]  # another sources file's source

    instance.add_dynamic_partitions(SOURCE_PARTITIONS.name, list(add.partition_keys))
    instance.delete_dynamic_partition(SOURCE_PARTITIONS.name, "demo_images")
    again = _evaluate(instance, SHARED_SOURCES)
    assert isinstance(again, SkipReason)
    assert "the 7 sources" in again.skip_message
    assert sorted(instance.get_dynamic_partitions(SOURCE_PARTITIONS.name)) == SHARED_NAMES


def test_a_missing_sources_file_is_a_skip_that_says_so(dagster_instance, tmp_path):
    skipped = _evaluate(dagster_instance, tmp_path / "nowhere.yaml")
    assert isinstance(skipped, SkipReason)
    assert "nowhere.yaml: sources file not found" in skipped.skip_message
    assert dagster_instance.get_dynamic_partitions(SOURCE_PARTITIONS.name) == []


def test_the_sensor_is_defined_and_on_by_default():
    sensor = defs.resolve_sensor_def("source_partitions_sensor")
    assert sensor.default_status.value == "RUNNING"

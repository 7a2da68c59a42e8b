"""The "sources" partitions: discovery and the catalogs keep one partition per source.

The partition keys are the source names of the sources file, registered on the Dagster
instance by ``dagster_project.build`` before each build. A partition is *fresh* when its last
materialisation recorded the source's current fingerprint and the file it wrote is still
there with the bytes it wrote; anything else makes it stale, so a build that was killed
half-way simply redoes what it had not finished.
"""

from dataclasses import dataclass

from dagster import (
    AssetKey,
    AssetRecordsFilter,
    DagsterInstance,
    DefaultSensorStatus,
    DynamicPartitionsDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from crosspair.sources import SourcesError, load_sources
from dagster_project.io_manager import file_sha256, partition_path
from dagster_project.resources import CrosspairSettings

SOURCE_PARTITIONS = DynamicPartitionsDefinition(name="sources")

FINGERPRINT = "fingerprint"  # metadata key of a partition's source fingerprint


@dataclass(frozen=True)
class PartitionSync:
    """What registering the sources file changed: keys added and keys removed."""

    added: list[str]
    removed: list[str]


def sync_source_partitions(instance: DagsterInstance, names: list[str]) -> PartitionSync:
    """Make the instance's "sources" partition keys exactly ``names``."""
    current = set(instance.get_dynamic_partitions(SOURCE_PARTITIONS.name))
    added = sorted(set(names) - current)
    removed = sorted(current - set(names))
    if added:
        instance.add_dynamic_partitions(SOURCE_PARTITIONS.name, added)
    for key in removed:
        instance.delete_dynamic_partition(SOURCE_PARTITIONS.name, key)
    return PartitionSync(added, removed)


def stale_reason(
    instance: DagsterInstance,
    asset_keys: list[AssetKey],
    source: str,
    fingerprint: str,
    data_dir: str,
) -> str | None:
    """Why a source's partitions must be materialised again, or None when all are fresh."""
    for key in asset_keys:
        name = key.to_user_string()
        records = instance.fetch_materializations(
            AssetRecordsFilter(asset_key=key, asset_partitions=[source]), limit=1
        ).records
        if not records:
            return f"{name} has no materialisation"
        metadata = records[0].asset_materialization.metadata
        if _text(metadata.get(FINGERPRINT)) != fingerprint:
            return f"{name}: source files or settings changed"
        path = partition_path(data_dir, "__".join(key.path), source)
        if _text(metadata.get("path")) != str(path) or not path.is_file():
            return f"{name}: {path} is missing"
        if file_sha256(path) != _text(metadata.get("sha256")):
            return f"{name}: {path} differs from what was written"
    return None


def _text(entry) -> str | None:
    return None if entry is None else str(entry.value)


@sensor(
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Keeps the 'sources' partitions equal to the sources of the sources file "
    "(settings sources_path, env CROSSPAIR_SOURCES), so the UI can materialise them without "
    "a `crosspair build` first. A source's key is added when it appears and removed when it "
    "leaves the file; the next `crosspair build` deletes the removed source's files too. One "
    "Dagster home serves one sources file at a time.",
)
def source_partitions_sensor(context: SensorEvaluationContext, settings: CrosspairSettings):
    """Add and remove partition keys to match the sources file the settings name."""
    try:
        names = {source.name for source in load_sources(settings.sources_path).sources}
    except SourcesError as err:
        return SkipReason(f"partitions left as they are: {err}")
    known = set(context.instance.get_dynamic_partitions(SOURCE_PARTITIONS.name))
    added, removed = sorted(names - known), sorted(known - names)
    if not added and not removed:
        return SkipReason(f"the {len(names)} sources of {settings.sources_path} are registered")
    requests = []
    if added:
        context.log.info("registering source partitions %s", ", ".join(added))
        requests.append(SOURCE_PARTITIONS.build_add_request(added))
    if removed:
        context.log.info("removing partitions of sources not in the file: %s", ", ".join(removed))
        requests.append(SOURCE_PARTITIONS.build_delete_request(removed))
    return SensorResult(dynamic_partitions_requests=requests)

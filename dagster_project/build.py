"""Run the whole build job against a Dagster instance, configured per call (not by env)."""

from pathlib import Path

from dagster import DagsterInstance, ExecuteInProcessResult

from dagster_project.definitions import defs

JOB_NAME = "build_dataset"


def build_run_config(sources: str | Path, data_dir: str | Path, workers: int = 0) -> dict:
    """Run config that points the settings resource and the IO manager at one build."""
    data = str(Path(data_dir).resolve())
    return {
        "loggers": {"console": {"config": {"log_level": "INFO"}}},
        "resources": {
            "settings": {
                "config": {
                    "sources_path": str(Path(sources).resolve()),
                    "data_dir": data,
                    "workers": workers,
                }
            },
            "io_manager": {"config": {"data_dir": data}},
        },
    }


def materialise_all(
    sources: str | Path, data_dir: str | Path, instance: DagsterInstance, workers: int = 0
) -> ExecuteInProcessResult:
    """Materialise every asset and run every check; failures are in the result, not raised."""
    job = defs.resolve_job_def(JOB_NAME)
    return job.execute_in_process(
        run_config=build_run_config(sources, data_dir, workers),
        instance=instance,
        raise_on_error=False,
    )


def failed_checks(result: ExecuteInProcessResult, severity: str = "ERROR") -> list[str]:
    """'asset:check' names of checks that failed with the given severity."""
    return sorted(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity.value == severity
    )


def failure_tables(result: ExecuteInProcessResult, max_lines: int = 12) -> dict[str, str]:
    """The first lines of each failed check's 'failing rows' table, by 'asset:check'."""
    tables = {}
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed:
            continue
        entry = evaluation.metadata.get("failing rows")
        text = str(entry.value) if entry is not None else ""
        lines = text.splitlines()
        if len(lines) > max_lines:
            lines = [*lines[:max_lines], f"... ({len(lines) - max_lines} more lines in Dagster)"]
        tables[f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"] = "\n".join(
            lines
        )
    return tables

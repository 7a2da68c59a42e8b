"""Run history that names an erased person is deleted, with the asset records it produced."""

from dagster import AssetKey, DagsterInstance, MaterializeResult, asset, materialize

from crosspair.erasure.plan import Action
from dagster_project.erasure import DagsterRunHistory

NEEDLE = "subject-0c871ed7"


@asset
def preview_of_a_person() -> MaterializeResult:
    return MaterializeResult(metadata={"preview": f"speech by {NEEDLE}"})


@asset
def nothing_personal() -> MaterializeResult:
    return MaterializeResult(metadata={"rows": 3})


def test_a_run_naming_the_person_is_deleted_with_the_asset_records_it_made(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    with DagsterInstance.local_temp(str(home)) as instance:
        personal = materialize([preview_of_a_person], instance=instance).run_id
        other = materialize([nothing_personal], instance=instance).run_id

    history = DagsterRunHistory(home)
    assert history.runs_holding({NEEDLE}) == [personal]
    action = Action(location="dagster", path=personal, kind="run", op="delete")
    assert history.apply(action) is True
    assert history.apply(action) is False  # already gone: nothing to do

    with DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id(personal) is None
        assert instance.get_run_by_id(other) is not None
        # the person's asset was last materialised by that run: its record is wiped too
        keys = {record.asset_entry.asset_key for record in instance.get_asset_records()}
        assert keys == {AssetKey("nothing_personal")}
    assert history.runs_holding({NEEDLE}) == []

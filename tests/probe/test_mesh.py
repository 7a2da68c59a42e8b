"""Mesh probe on the real OBJ, PLY and GLB files and on meshes that are not meshes."""

from __future__ import annotations

import logging

import pytest
import trimesh

from crosspair.probe import probe

from .conftest import check_reject, check_row, make_candidate

MESHES = "shape_text/meshes"

# file: (vertices after merging by position, triangles, watertight, triangles_only)
EXPECTED = {
    "cube.obj": (8, 12, True, False),  # quads, UV seams merged
    "spot_triangulated.obj": (2930, 5856, True, True),
    "spot_quadrangulated.obj": (2930, 5856, True, False),  # same cow, quads
    "blub.obj": (7106, 14208, True, True),
    "hexaSphere.obj": (1760, 3516, True, False),  # 5-, 6- and 7-gons
    "avocado.obj": (363, 682, False, True),
    "nonmanifold_edge.obj": (8, 6, False, False),
    "moebius-160-10.ply": (1600, 2880, False, True),
    "MultiUVTest.glb": (8, 12, True, True),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_mesh_counts(data, name):
    row, reject = probe(make_candidate("mesh", data / MESHES / name))
    assert reject is None, reject
    check_row("mesh", row)
    got = (row["vertices"], row["faces"], row["watertight"], row["triangles_only"])
    assert got == EXPECTED[name]
    assert row["format"] == name.rsplit(".", 1)[1].lower()


def test_missing_material_library_is_logged_not_rejected(data, caplog):
    with caplog.at_level(logging.WARNING, logger="crosspair.probe.mesh"):
        row, reject = probe(make_candidate("mesh", data / MESHES / "nonmanifold_edge.obj"))
    assert reject is None
    assert "nonmanivold_edge.mtl not found" in caplog.text


def test_missing_texture_is_logged_not_rejected(data, caplog):
    with caplog.at_level(logging.WARNING, logger="crosspair.probe.mesh"):
        row, reject = probe(make_candidate("mesh", data / MESHES / "avocado.obj"))
    assert reject is None
    assert "Avocado_baseColor.png" in caplog.text and "Avocado_normal.png" in caplog.text


def test_obj_copied_without_its_mtl_still_probes(data, tmp_path):
    path = tmp_path / "blub.obj"
    path.write_bytes((data / MESHES / "blub.obj").read_bytes())
    assert check_row("mesh", probe(make_candidate("mesh", path))[0])["faces"] == 14208


def test_garbage_obj_is_corrupt(tmp_path):
    path = tmp_path / "garbage.obj"
    path.write_text("this is not\na mesh at all\n\x00\x01 v f\n")
    row, reject = probe(make_candidate("mesh", path))
    assert "no faces" in check_reject(reject, "corrupt")["detail"]


def test_obj_with_vertices_only_is_corrupt(tmp_path):
    path = tmp_path / "points.obj"
    path.write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\n")
    check_reject(probe(make_candidate("mesh", path))[1], "corrupt")


def test_ply_mixing_quads_and_triangles_is_not_triangles_only(tmp_path):
    quad_and_triangle = trimesh.Trimesh(
        vertices=[[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [2, 0, 0]],
        faces=[[0, 1, 2], [0, 2, 3], [1, 4, 2]],
        process=False,
    )
    triangles = tmp_path / "triangles.ply"
    quad_and_triangle.export(triangles)
    assert check_row("mesh", probe(make_candidate("mesh", triangles))[0])["triangles_only"]

    mixed = tmp_path / "mixed.ply"
    mixed.write_text(
        "ply\nformat ascii 1.0\nelement vertex 5\nproperty float x\nproperty float y\n"
        "property float z\nelement face 2\nproperty list uchar int vertex_indices\nend_header\n"
        "0 0 0\n1 0 0\n1 1 0\n0 1 0\n2 0 0\n4 0 1 2 3\n3 1 4 2\n"
    )
    row = check_row("mesh", probe(make_candidate("mesh", mixed))[0])
    assert (row["faces"], row["triangles_only"]) == (3, False)


def test_unknown_mesh_extension_is_unsupported_format(tmp_path):
    path = tmp_path / "cloud.xyz"
    path.write_text("0 0 0\n1 1 1\n")
    check_reject(probe(make_candidate("mesh", path))[1], "unsupported_format")

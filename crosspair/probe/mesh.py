"""Mesh probe: vertex and triangle counts, watertightness and whether the file is all triangles.

Counts and watertightness are of the shape, not of its storage: vertices that OBJ and glTF
split to carry texture coordinates or normals are merged by position first, so a textured
cube has 8 vertices and is watertight. Materials and textures are not loaded; a missing
``.mtl`` or texture is logged and never rejects the mesh.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import trimesh

from crosspair.items import Candidate, Rejected
from crosspair.probe.files import file_base
from crosspair.probe.limits import ProbeLimits

log = logging.getLogger(__name__)

_FORMATS = {"obj", "ply", "glb", "gltf", "stl"}
_TRIANGLE_FORMATS = {"glb", "gltf", "stl"}  # these formats can only store triangles
_PLY_FACES = re.compile(rb"^element\s+face\s+(\d+)\s*$", re.MULTILINE)


def probe_mesh(candidate: Candidate, limits: ProbeLimits) -> dict:
    """Catalog row of a mesh file; ``corrupt`` when it holds no faces."""
    path = Path(candidate.abs_path)
    file_type = path.suffix.lower().lstrip(".")
    if file_type not in _FORMATS:
        raise Rejected("unsupported_format", f"mesh format {file_type!r} is not one of {_FORMATS}")

    scene = trimesh.load_scene(str(path), file_type=file_type, process=False, skip_materials=True)
    parts = [g for g in scene.geometry.values() if isinstance(g, trimesh.Trimesh) and len(g.faces)]
    if not parts:
        raise Rejected("corrupt", f"no faces in the {file_type} file (nothing trimesh can mesh)")
    mesh = scene.to_mesh()  # applies each node's transform, so instanced parts are all counted
    triangles = len(mesh.faces)

    shape = trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)
    shape.merge_vertices(merge_tex=True, merge_norm=True)

    if file_type == "obj":
        triangles_only = _obj_triangles_only(path)
    elif file_type == "ply":
        triangles_only = _ply_face_count(path) == triangles
    else:
        triangles_only = file_type in _TRIANGLE_FORMATS
    row = {
        "format": file_type,
        "vertices": int(len(shape.vertices)),
        "faces": int(triangles),
        "watertight": bool(shape.is_watertight),
        "triangles_only": bool(triangles_only),
    }
    return {**file_base(candidate), **row}


def _obj_triangles_only(path: Path) -> bool:
    """Whether every ``f`` line has three vertices; also logs missing materials and textures."""
    triangles_only = True
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if line.startswith("f ") or line.startswith("f\t"):
                triangles_only = triangles_only and len(line.split()) == 4
            elif line.startswith("mtllib"):
                _check_material_library(path, line[len("mtllib") :].strip())
    return triangles_only


def _check_material_library(obj_path: Path, name: str) -> None:
    """Log a material library or texture the OBJ names but the folder does not hold."""
    library = obj_path.parent / name
    if not library.is_file():
        log.warning("mesh %s: material library %s not found; kept without it", obj_path, name)
        return
    for line in library.read_text(encoding="utf-8", errors="replace").splitlines():
        fields = line.split()
        if fields and fields[0].startswith("map_") and len(fields) > 1:
            texture = library.parent / fields[-1]  # options such as -bm 1.0 come first
            if not texture.is_file():
                log.warning(
                    "mesh %s: texture %s named in %s not found; kept without it",
                    obj_path,
                    fields[-1],
                    name,
                )


def _ply_face_count(path: Path) -> int | None:
    """Faces the PLY header declares; equal to the triangle count only if all are triangles."""
    with open(path, "rb") as handle:
        header = handle.read(64 * 1024).split(b"end_header", 1)[0]
    match = _PLY_FACES.search(header.replace(b"\r\n", b"\n"))
    return int(match.group(1)) if match else None

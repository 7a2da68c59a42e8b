"""Human judgements of pairs: import, agreement, adjudication, and overrides of the pair table.

- ``find_annotation_files``: the ``annotations`` setting → files (only the default may be
  missing, or a location written ``optional:<location>``);
- ``import_judgements``: Label Studio JSON exports and ``annotator,item,candidate,label`` CSV
  files → the ``JUDGEMENTS`` table, each pair in the pair table's direction, and reject rows
  with reasons (a malformed file is one reject row; the other files are imported);
- ``label_studio_tasks`` / ``labeling_config``: pairs → Label Studio tasks to annotate;
- ``agreement_table``: percent agreement, Cohen's / Fleiss' kappa, Krippendorff's alpha;
- ``adjudicate`` / ``human_pairs``: majority decisions, and matches as ``human`` pairs;
- ``apply_human_overrides``: decisions applied to a pair table, removed pairs kept aside.
"""

from crosspair.annotation.adjudication import HUMAN, adjudicate, human_pairs
from crosspair.annotation.agreement import agreement_table
from crosspair.annotation.files import find_annotation_files
from crosspair.annotation.judgements import ImportResult, import_judgements
from crosspair.annotation.label_studio_export import (
    label_studio_tasks,
    labeling_config,
    write_tasks,
)
from crosspair.annotation.overrides import apply_human_overrides
from crosspair.annotation.records import DEFAULT_LABELS, AnnotationFileError

__all__ = [
    "DEFAULT_LABELS",
    "HUMAN",
    "AnnotationFileError",
    "ImportResult",
    "adjudicate",
    "agreement_table",
    "apply_human_overrides",
    "find_annotation_files",
    "human_pairs",
    "import_judgements",
    "label_studio_tasks",
    "labeling_config",
    "write_tasks",
]

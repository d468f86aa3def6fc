"""The fingerprint of what, besides a file's bytes, decides the facts stored for it.

"Unchanged" means: same blob hash AND same fingerprint. The fingerprint covers the parser version,
the ontology id files without their own are stored under, the readers' layer's version and
the `relations:` map, every parse option (namespaces, page
namespace, JSON-LD contexts, and any option added to ParseOptions later, since all its fields are
hashed), and the include/exclude globs. It is stored per file (`source_files.fingerprint`), not
once per database, so a run interrupted part-way under other settings cannot leave the files it
did not reach marked as current: each file is reprocessed until it is stored under the settings of
the run at hand.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json

from ontosync.config import Settings
from ontosync.parsing import ParseOptions
from ontosync.parsing.version import PARSER_VERSION
from ontosync.pipeline.logseq_graph import logseq_fingerprint
from ontosync.store.semsql import LAYER_VERSION


def settings_fingerprint(settings: Settings, options: ParseOptions) -> str:
    fields = {f.name: getattr(options, f.name) for f in dataclasses.fields(options)}
    fields["logseq"] = logseq_fingerprint(options.logseq)  # the graph's config.edn, in a stable form
    data = json.dumps({"parser_version": PARSER_VERSION, "ontology_id": settings.ontology_id,
                       "include": sorted(settings.include), "exclude": sorted(settings.exclude),
                       "layer_version": LAYER_VERSION, "relations": settings.relations,
                       "options": fields}, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()[:32]

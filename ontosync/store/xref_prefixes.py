"""The `prefix` rows for the CURIEs that mappings hold as text (`oio:hasDbXref "MESH:D001"`).

Why: OAK's SSSOM output (`runoak mappings -O sssom`) gives every CURIE prefix that the `prefix`
table does not list a made-up base, `http://w3id.org/sssom/unknown_prefix/` + the prefix in lower
case; two such prefixes that differ only in case (RO's xrefs hold `MESH:` and `MeSH:`) get the
same base, and the output fails ("failed to add MeSH because of overlaps"). semantic-sql's own
`prefix` table (semsql/builder/prefixes/prefixes.csv) lists the OBO Foundry ontologies and the
common databases, so one of the pair is known there and the output works. The layer lists the
prefixes of those tables that the mappings use, with semantic-sql's base (its first, which is the
row its build keeps); a prefix neither lists stays out, as on a semantic-sql database.
"""

from __future__ import annotations

import json
import sqlite3

from ontosync.parsing.curies import OBO_BASE
from ontosync.store.sync_records import get_meta, put_meta

# The mapping predicates of the `has_mapping_statement` view (migration 005).
MAPPING_PREDICATES = ("oio:hasDbXref", "skos:exactMatch", "skos:broadMatch", "skos:narrowMatch",
                      "skos:relatedMatch")
MAPPING_SET = frozenset(MAPPING_PREDICATES)
# The prefixes the last scan found, so a run that changed no mapping row reads none (no index serves
# the scan: `statements` has none on the predicate or the value; PATO's ~35,000 rows take ~20 ms).
USED_KEY = "xref_prefixes"
_USED = ("SELECT DISTINCT substr(value, 1, instr(value, ':') - 1) FROM statements WHERE predicate IN ("
         + ", ".join(f"'{p}'" for p in MAPPING_PREDICATES) + ") AND instr(value, ':') > 1")

# semantic-sql's OBO Foundry prefixes whose base is the OBO PURL (`http://purl.obolibrary.org/obo/X_`),
# and its bases for the databases that cross-references name (its curated and local tables); one
# string each, read once (a literal of 253 names or 24 pairs is no easier to check against the CSV).
_OBO_NAMES = """
AAO ADO ADW AEO AERO AGRO AISM AMPHX APO APOLLO_SV ARO ATO BCGO BCO BFO BILA BOOTSTREP BSPO BTO CARO CDAO
CDNO CEPH CHEBI CHEMINF CHIRO CHMO CIDO CIO CL CLAO CLO CLYH CMF CMO COB COLAO CRO CTENO CTO CVDO DC_CL
DDANAT DDPHENO DIDEO DINTO DISDRIV DOID DRON DUO ECAO ECO ECOCORE ECTO EHDA EHDAA EHDAA2 EMAP EMAPA ENVO EO
EPIO EPO ERO EUPATH EV ExO FAO FBSP FBbi FBbt FBcv FBdv FIDEO FIX FLOPO FLU FMA FOBI FOODON FOVT FYPO GAZ
GECKO GENEPIO GENO GEO GNO GO GRO GSSO HABRONATTUS HANCESTRO HAO HOM HP HSO HTN HsapDv IAO ICEO ICO IDO
IDOMAL IEV IMR INO IPR KISAO LABO LEPAO LIPRO LOGGERHEAD MA MAMO MAO MAT MAXO MCO MF MFMO MFO MFOEM MFOMD MI
MIAPA MICRO MIRNAO MIRO MMO MO MOD MONDO MOP MP MPATH MPIO MRO MS MmusDv NBO NCBITaxon NCIT NCRO NIF_CELL
NIF_DYSFUNCTION NIF_GROSSANATOMY NMR NOMEN OAE OARCS OBA OBCS OBI OBIB OBO_REL OGG OGI OGMS OGSF OHD OHMI
OHPI OMIABIS OMIT OMO OMP OMRSE ONE ONS ONTOAVIDA ONTONEO OOSTT OPL OPMI ORNASEQ OVAE OlatDv PAO PATO PCL
PCO PDRO PD_ST PECO PGDSO PHIPO PLANA PLANP PLO PO PORO PPO PR PROCO PROPREO PSDO PSO PW PdumDv RBO RESID
REX RNAO RO RS RXNO SAO SBO SCDO SEP SEPIO SIBO SO SOPHARM SPD STATO SWO SYMP TADS TAHE TAHH TAO TAXRANK
TGMA TO TRANS TTO TXPO UBERON UO UPA UPHENO VBO VHOG VO VSAO VT VTO VariO WBPhenotype WBbt WBls XAO XCO
XLMOD XPO YPO ZEA ZECO ZFA ZFS ZP
"""
_DATABASES = """
EFO http://www.ebi.ac.uk/efo/EFO_                  ORDO http://www.orpha.net/ORDO/Orphanet_
UP http://purl.uniprot.org/uniprot/                EDAM http://edamontology.org/
ICD10CM http://purl.bioontology.org/ontology/ICD10CM/  HGNC http://identifiers.org/hgnc/
MEDDRA http://identifiers.org/meddra/              MESH http://identifiers.org/mesh/
MEDGEN http://identifiers.org/medgen/              SCTID http://identifiers.org/snomedct/
UMLS http://linkedlifedata.com/resource/umls/id/   ENSEMBL http://identifiers.org/ensembl/
OMIM https://omim.org/entry/                       OMIMPS https://www.omim.org/phenotypicSeries/PS
EC https://bioregistry.io/eccode:                  UniProtKB https://bioregistry.io/uniprot:
RHEA https://www.rhea-db.org/rhea/                 RXNORM http://purl.bioontology.org/ontology/RXNORM/
PFAM https://www.ebi.ac.uk/interpro/entry/pfam/    SGD https://www.yeastgenome.org/locus/
wikidata http://www.wikidata.org/entity/           orcid https://orcid.org/
icd10who https://icd.who.int/browse10/2019/en#/    loinc https://loinc.org/
"""
OBO_NAMES = frozenset(_OBO_NAMES.split())
_PAIRS = _DATABASES.split()
DATABASE_BASES = dict(zip(_PAIRS[::2], _PAIRS[1::2], strict=True))


def known_base(prefix: str) -> str | None:
    """semantic-sql's base for a prefix, or None where its table does not list it."""
    if prefix in OBO_NAMES:
        return f"{OBO_BASE}{prefix}_"
    return DATABASE_BASES.get(prefix)


def add_used(conn: sqlite3.Connection, wanted: dict[str, str], scan: bool = True) -> None:
    """Add to `wanted` (prefix -> base) each known prefix a mapping's text uses, unless its name or
    its base is taken (the table stays a bijection: OAK's CURIE converter refuses duplicates).
    `scan`: read the mapping rows (the run wrote or deleted some); else the last scan's prefixes."""
    bases = set(wanted.values())
    for prefix in _used(conn, scan):
        base = known_base(prefix)
        if base and prefix not in wanted and base not in bases:
            wanted[prefix] = base
            bases.add(base)


def _used(conn: sqlite3.Connection, scan: bool) -> list[str]:
    value = None if scan else get_meta(conn, USED_KEY)
    if value is not None:
        return json.loads(value)
    found = sorted(p for (p,) in conn.execute(_USED) if known_base(p))
    put_meta(conn, USED_KEY, json.dumps(found))
    return found

"""PARSER_VERSION: raise it whenever a parser reads some file differently than before.

Stored, as part of each file's fingerprint (pipeline/fingerprint.py), with the file's row: after
an upgrade whose parsers changed, every file is reprocessed once, though its content did not
change; an upgrade that leaves the parsers alone reprocesses nothing.
"""

PARSER_VERSION = 20  # 2: Logseq graph rules (title::, alias::, tags, link text), RDF synonyms
# 3: the line each class is declared on (file_classes.line, migration 007)
# 4: page names match in Unicode NFC (a link and a file name in NFC and NFD name one page);
#    an owl:class that is no valid IRI (a space, `<`, `"`...) is a bad-owl-class warning
# 5: Logseq property values as Logseq reads them: `[[X]]`/`#x` inside inline code are no links,
#    nor are those of a value wrapped in double quotes (`key:: "[[X]]"` is a string in Logseq)
#    nor those of a key in config.edn's :ignored-page-references-keywords
#    ; a key in :property/separated-by-commas reads plain comma-separated items as links too
#    ; YAML front matter (`---` / `title: X` / `---` on line 1) is the page's properties
#    ; :triple-lowbar file names drop empty namespaces (`___A.md` is `A`)
#    ; hidden files/folders (`.x`) and node_modules/ under the graph root are no pages
#    ; page names match lower-cased as in Logseq, not case-folded (`Maße` and `Masse` are two)
#    ; Logseq's unparsed built-in keys (template, icon, filters, query-*...) give no relationship
#    ; a page name's boundary slashes are dropped ([[Robot/]] is Robot)
# 6: OWL functional syntax (.ofn files, Logseq fences) picks a label as the RDF reader does (no
#    language tag, then en, en-*, other; smallest value), not the first written; a class's comment
#    falls back to IAO:0000115, then skos:definition, as in RDF files
#    ; an .ofn file's oboInOwl / skos:altLabel synonyms are synonyms (file_synonyms, statements)
#    ; a Logseq page's ```turtle / ```owl fences keep their synonyms
# 7: OWL functional syntax notes SubClassOf(A ObjectSomeValuesFrom(P C)) (named A, P, C) and
#    owl:deprecated annotations on the axiom, so the readers' layer has an RDF file's rows for them
# 8: an OWL/XML document (root Ontology in the OWL namespace) that RDF/XML's parser refuses is
#    skipped as OWL/XML, not failed as an RDF/XML syntax error
#    ; OWL functional syntax: an annotated SubClassOf(Annotation(...) A B) between named classes is
#    a hierarchy edge too (it was an axiom row only), as the same axiom in Turtle or RDF/XML
# 9: a page without an OntologyBlock (skipped) still records `public:: true` (source_files.public)
# 10: Logseq property keys as Logseq files them: `_` is `-` (`is_subclass_of::` is a parent link,
#    `Preferred_Term::` the label, `alternate_terms::` synonyms, `see_also::` metadata)
#    ; three backticks inside a `key:: value` line open no fence (the page's later properties were lost)
#    ; Logseq file names' `%XX` escapes decoded as Logseq does: one by one in :triple-lowbar (`%C3%A9`
#    stays), the whole name or nothing in :legacy
#    ; a page's `alias::` names rank before another page's preferred-term (page_names.rank: 1 alias,
#    2 preferred-term): a link goes to the page Logseq opens
#    ; a Git LFS pointer stored in place of a file fails at line 1 saying so (a .ttl failed as bad
#    Turtle, a page was skipped as one without an OntologyBlock)
# 11: `~~~` fences and `#+BEGIN_X ... #+END_X` blocks are code / block text, as in Logseq (no
#    property or link read inside them); page names keep their inner whitespace (`[[a  b]]` is
#    another page; minted IRIs unchanged); `.markdown` pages are read, `.org` pages skipped with a
#    reason
#    ; a ```turtle fence's restrictions and owl:deprecated give the layer the rows an ```owl fence
#    gives (SubClassOf notes, the deprecation axiom)
#    ; RDF files: language tags kept as written (`en-GB`, not `en-gb`), `xml:lang=""` read (a whole
#    file failed), XML literals declare only the namespaces they use, Turtle saved as `.owl` read as
#    Turtle, UTF-16 / gzip'd text named as such, JSON-LD nodes without an IRI named in a warning
# 12: Logseq links as Logseq 0.10 reads them: `[[Page|label]]` names the page `Page|label` (a
#    pipe-link warning gives Logseq's `[label]([[Page]])`), `[[Page][label]]` in a property names no
#    page (org-link warning), a date link or date page title is that day's journal page, and a
#    config.edn with CRLF line ends is read
#    ; one ontology gives the same rows in functional syntax and in RDF (h40): class axioms'
#    shapes, named equivalence/disjointness pairs and imports in the layer, several ontology
#    headers, literals where a class belongs, annotated class axioms (owl:Axiom) in RDF, depth
#    limits, xsd:string, several domains/ranges, a property declared two kinds; RDF 1.2 triple
#    terms named
#    ; a fence's literals keep their language tags for the readers' layer, and a fence's or an
#    .ofn file's IAO:0100001 / oio:consider targets are noted as owl:deprecated is (h38)
# 13: a page without an OntologyBlock answers to its title and alias:: names (links through
#    them reach one class); journal dates read as Logseq's date parser reads them (1-2 digit
#    fields, full month and weekday names); a link inside emphasis in a property value names no
#    page; a title from an NFD file name is NFC (h49)
#    ; hasDbXref / skos mapping properties, every label, comment and definition of a fence or an
#    .ofn file are noted triples for the layer (h48); each .ofn axiom that is one triple between
#    named terms is noted, relative IRIs in .ofn refused, JSON-LD keys without an IRI named, the
#    16 MiB term limit named, OWL/XML named as such (h50, one note format with h48's: h56)
#    ; an .ofn file's version IRI is kept (a VersionIRI axiom, the owl:versionIRI row) (h59)
# 14: a Logseq mapping property to a page link (`skos:exactMatch:: [[Hound]]`) is a mapping to the
#    page's class, not a relationship; `.org` pages answer to their #+title / #+alias; 1-3 digit
#    years read as Logseq reads them; page_names.rank doubled (+1 on a page without an
#    OntologyBlock: a title two files give reaches the ontology page's class); `:hidden` entries
#    are path prefixes; only `public:: true` is public; aliases split at `,` and `，` (h65)
#    ; an .ofn file's axioms whose RDF uses blank nodes (class expressions, n-ary axioms,
#    DisjointUnion, HasKey, property chains, annotated axioms' owl:Axiom) are noted as their
#    rows (rdf_graph), its header's `rdf:type owl:Ontology` and several domains/ranges written
#    (FileFacts.saved_rows); bad Import arguments and IRIs with forbidden characters named (h63);
#    each axiom of one domain/range value keeps its annotations (h70)
#    ; Logseq: a lone `\r` ends a line; emphasis in an alias or comma-separated value names no page;
#    an alias value over 20,000 characters still names each item (`long-value` warning) (h74)
# 15: Logseq: a page property given twice is worth its last value (title::, alias::, front matter;
#    `repeated-property` warning); an alias equal to the page's own name is neither alias nor
#    synonym; a `title::` outside the page properties is a `block-title` warning; a config.edn
#    giving a key twice is refused as Logseq refuses it; `:file/name-format` must be the keyword (h81)
#    ; .ofn: an annotated ontology annotation and annotations of anonymous individuals reach the
#    layer as OWL 2 maps them; an anonymous individual's rows hang from the named subject pointing
#    at it; "x@en"^^rdf:PlainLiteral is "x"@en; relative datatype IRIs named; N-Triples / Turtle
#    without directives in an .owl file read as Turtle; a UTF-8 BOM wins over a declared encoding (h83)
# 16: Logseq: journal file names read by the journal title formats Logseq tries (not
#    :journal/file-name-format, which only names the files Logseq writes); every org directive
#    outside blocks is a page property, the last value of a key wins; a leading :PROPERTIES:
#    drawer names a markdown page (h92); pages/contents.* is `Contents` (h97)
#    ; .ofn: an anonymous Ontology( has Turtle's blank-node ontology rows; an abbreviated ontology
#    IRI names the ontology; DLSafeRule gives the SWRL rows Protege writes; RDF/XML: a relative
#    xml:base resolved against the base in scope; JSON-LD language-map tags keep their case;
#    Manchester syntax in an .ofn file fails naming it (h93)
# 17: Logseq: #+ directives of a markdown page are its page properties, none inside a list item;
#    [[assets...]]/[[draws...]] links name no page (h104); RDF: owl:hasSelf other than true is no
#    ObjectHasSelf, a node of two class-expression forms is skipped, an empty or other-parseType
#    XML literal is read, annotations of annotations nest in the axiom row, cardinalities in any
#    lexical form, a relative @vocab without a base warns (h105); .ofn: an IRI holding a control
#    character is refused as the other readers refuse it (h109)
#    ; .ofn: a prefix declared again warns, `#` glued to a prefixed name starts a comment (OWL 2's
#    PNAME_LN has no `#`), cardinalities of thousands of digits; RDF: an owl:Axiom reifying an
#    unasserted triple, or untyped, warns and gives no annotated row; Logseq: asset links in
#    mapping properties name no page, a tag of the same name still does (h113)
# 18: Logseq: a first bullet of nothing but properties (`- title:: X`) is a block of its own, no page
#    properties (only the lines before the first bullet are); `key:: value` lines of a `1. `/`+ `/`* ` list
#    item are its text, no property; links in an HTML comment of a value name no page; an
#    HTML comment block (`<!--` ... `-->` lines) holds no property nor directive; `key::<tab>value` is no
#    property (mldoc wants `:: `) (h134)
#    ; RDF/XML: rdf:resource / rdf:parseType on a node element, rdf:parseType beside rdf:resource /
#    rdf:nodeID on a property element, fail naming the line (pyoxigraph dropped one); an XML literal
#    of only comments is read (the file failed); JSON-LD: an error between two mapped contexts names
#    its own line; .ofn: a `)` inside a comment is owed to no repaired form (it took the Ontology's
#    `)`), a comment ends at a lone CR (h135)
#    ; Logseq: only the lines indented further than a list item's mark are its text; an HTML comment
#    block ends only at a line that is `-->` once trimmed (`--> note` is its text) (h146)
# 19: Logseq: a column-0 bullet ends an open HTML comment, #+BEGIN_X block or fence for the page's
#    #+ directives as for its properties (a comment or block open there is none) (h159)
#    ; Logseq: the #+ directives reader ends a markdown list where the block scan does (a `- ` bullet, a line
#    at an item's own indentation), and a column-0 comment or block ends a list for both (h159)
#    ; Logseq: the first run of `key:: value` lines of a page's first block is its page properties after
#    intro text too (its `alias::` names the page), whose `title::` is then a block property (block-title) (h159)
#    ; Logseq: either fence marker (``` or ~~~) closes a fence for the page's #+ directives too (h159)
#    ; Logseq: a `:PROPERTIES:` drawer after intro text in a page's first block is its page properties
#    (its `:alias:` names the page, its `:title:` does not) (h159)
#    ; Logseq: a drawer's lines (`:LOGBOOK:` ... `:END:`) are no properties for the block scan either (h159)
# 20: Logseq: where a fence ends is mldoc's for the block scan too (logseq_code): the first line below
#    whose trimmed text starts with ``` or ~~~ (a bullet's `- ```` is text; a tagged line closes: fences do
#    not nest for properties, headings and directives), one left open to the page's end is none (its lines
#    are read), a one-line or inline ``` opens or closes nothing more; corpus: Metaverse_Ontology_Schema.md
#    loses two fence-syntax warnings (a #+BEGIN_QUERY Logseq reads as a query, no clojure text) (h168)
#    ; Logseq: a bullet's `- #+END_X` is a block's text for the block scan too, as mldoc reads it (h168)

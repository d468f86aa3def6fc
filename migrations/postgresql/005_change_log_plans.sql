-- postgresql/005: chg_record() (004) with plans that stay on the indexes as the schema fills.
--
-- Measured on the corpus's full sync (1,684 files): 004's chg_record() took 26 s of the run's 50 s,
-- 15.6 ms a save, because
--   * the axiom step's count of remaining copies was written `subject = s OR subject IS NULL AND
--     s IS NULL`, which PL/pgSQL's cached plan (made while owl_axioms was nearly empty) served with
--     the index on ontology_id alone, reading every axiom of the ontology; and the count, used four
--     times by the outer query, was computed four times;
--   * the class/property step's clean-up scanned every class row of the run's log (growing with
--     the run) to find the few keys the save touched.
-- Here the count is one correlated subquery per NULL-ness of the subject (each an equality the
-- index on (ontology_id, subject, axiom_type, object) serves), computed once (MATERIALIZED), and
-- the clean-up is driven by the save's snapshot tables. What is recorded is unchanged.
--
-- And SQLite's 008 here: the three indexes it dropped (each a prefix of, or answered as well by,
-- another). owl_axioms_ontology was also what the cached plan above picked over
-- owl_axioms_subject while the table was small.
DROP INDEX IF EXISTS owl_axioms_ontology;
DROP INDEX IF EXISTS statements_spv;
DROP INDEX IF EXISTS statements_p;

CREATE OR REPLACE FUNCTION chg_record(run BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO run_changes (run_id, kind, ontology_id, iri, item, old, new)
        SELECT run, 'class', b.o, b.iri, '', b.card, class_card(b.o, b.iri) FROM pg_temp.chg_cls b
        UNION ALL
        SELECT run, 'property', b.o, b.iri, '', b.card, property_card(b.o, b.iri) FROM pg_temp.chg_prop b
        ON CONFLICT (run_id, kind, ontology_id, iri, item) DO UPDATE SET new = excluded.new;
    DELETE FROM run_changes r USING pg_temp.chg_cls b
        WHERE r.run_id = run AND r.kind = 'class' AND r.ontology_id = b.o AND r.iri = b.iri AND r.item = ''
          AND r.old IS NOT DISTINCT FROM r.new;
    DELETE FROM run_changes r USING pg_temp.chg_prop b
        WHERE r.run_id = run AND r.kind = 'property' AND r.ontology_id = b.o AND r.iri = b.iri AND r.item = ''
          AND r.old IS NOT DISTINCT FROM r.new;
    DELETE FROM pg_temp.chg_cls;
    DELETE FROM pg_temp.chg_prop;
    IF EXISTS (SELECT 1 FROM pg_temp.chg_ax) THEN
        WITH c AS MATERIALIZED (
            SELECT a.o, a.s, a.t, a.obj, a.ann, a.d, CASE WHEN a.s IS NULL THEN
                       (SELECT count(*) FROM owl_axioms x WHERE x.ontology_id = a.o AND x.subject IS NULL
                        AND x.axiom_type = a.t AND x.object IS NOT DISTINCT FROM a.obj
                        AND x.annotations IS NOT DISTINCT FROM a.ann)
                   ELSE
                       (SELECT count(*) FROM owl_axioms x WHERE x.ontology_id = a.o AND x.subject = a.s
                        AND x.axiom_type = a.t AND x.object IS NOT DISTINCT FROM a.obj
                        AND x.annotations IS NOT DISTINCT FROM a.ann)
                   END AS n
            FROM (SELECT o, s, t, obj, ann, sum(d) AS d FROM pg_temp.chg_ax GROUP BY o, s, t, obj, ann) AS a
            WHERE a.d <> 0)
        INSERT INTO run_changes (run_id, kind, ontology_id, iri, item, old, new)
            SELECT run, 'axiom', c.o, COALESCE(c.s, ''), axiom_item(c.t, c.obj, c.ann),
                   CASE WHEN c.n - c.d > 0 THEN '1' END, CASE WHEN c.n > 0 THEN '1' END
            FROM c WHERE (c.n > 0) <> (c.n - c.d > 0)
            ON CONFLICT (run_id, kind, ontology_id, iri, item) DO UPDATE SET new = excluded.new;
        DELETE FROM run_changes r WHERE r.run_id = run AND r.kind = 'axiom' AND r.old IS NOT DISTINCT FROM r.new
            AND (r.ontology_id, r.iri, r.item) IN (
                SELECT o, COALESCE(s, ''), axiom_item(t, obj, ann) FROM pg_temp.chg_ax);
        DELETE FROM pg_temp.chg_ax;
    END IF;
END $$;

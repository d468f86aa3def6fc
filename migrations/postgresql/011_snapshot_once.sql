-- postgresql/011: a class's card is snapshot once a transaction, not once a changed row. The
-- trigger of 004 built the card (class_card: the class, its parents, its synonyms: three reads)
-- for every row it fired on and let `ON CONFLICT DO NOTHING` throw all but the first away: a
-- class re-saved with two parents and a synonym built it eight times (its row, the hierarchy
-- rows deleted and inserted, the synonym rows deleted and inserted). A large file's re-save spent
-- most of its trigger time there (16,000 classes: 80,000 cards built, 16,000 kept). Now the
-- snapshot table is asked first; the card is built only for a class it does not hold yet. What is
-- recorded is unchanged: the first card of a class in the transaction. The rest of the function
-- is 004's.

CREATE OR REPLACE FUNCTION chg_class_row() RETURNS trigger LANGUAGE plpgsql AS $$
-- include: 004_change_log.sql from DECLARE r RECORD; to     INSERT INTO pg_temp.chg_cls (o, iri, card) VALUES (r.ontology_id, r.class_iri, class_card(r.ontology_id, r.class_iri))
    IF NOT EXISTS (SELECT 1 FROM pg_temp.chg_cls x WHERE x.o = r.ontology_id AND x.iri = r.class_iri) THEN
        INSERT INTO pg_temp.chg_cls (o, iri, card) VALUES (r.ontology_id, r.class_iri, class_card(r.ontology_id, r.class_iri));
    END IF;
-- include: 004_change_log.sql from     IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'owl_classes' THEN to CREATE FUNCTION chg_property_row() RETURNS trigger LANGUAGE plpgsql AS $$

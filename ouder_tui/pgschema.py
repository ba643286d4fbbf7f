"""The schema of a school database on a PostgreSQL server, and the server's part of the contract.

Everything lives in the schema ``ouder_tui`` of the school's database:

``meta``           schema version and creation time (key/value)
``records``        every record: table, id, revision, the fields as JSONB, who and when
``vertrouwelijk``  the confidential parts of records (notes of a confidential home visit), readable
                   only by the care role; a teacher's login cannot even SELECT it
``prullenbak``     the recycle bin, with the record as it was (its confidential part stays in
                   ``vertrouwelijk`` under the table name ``_prullenbak``)
``logboek``        who changed what and when: written by triggers, never by a client

The server, not the client, is the authority: triggers stamp every change with ``session_user`` and
``now()``, raise the revision and write the log in the same transaction; no role has INSERT, UPDATE
or DELETE on the log, so it is append-only for everyone. Erasing (``wis``) runs as a function owned
by the schema's owner that only the ``beheer`` role may execute. Roles are group roles that logins
are made members of; row-level security keeps the settings for ``beheer``.
"""

from __future__ import annotations

#: The version of the server schema this build creates and reads.
#: 2: notifications name the record ('tabel:id'), not only its table; 3: ``records.tekst``.
SERVER_SCHEMA = 3

#: Group roles (NOLOGIN), one set per school database (roles are shared by a whole server, and one server
#: may hold the databases of several schools); a login is a member of one (the one that ran init: all three).
ROLE_PREFIX = "ouder_tui_"
ROLES = {
    "zorg": "zorgcoördinator en directie: alle gegevens, ook vertrouwelijke notities van huisbezoeken",
    "leerkracht": "alles behalve vertrouwelijke notities (de app toont dat ze bestaan, nooit hun tekst)",
    "beheer": "instellingen, gebruikers, wissen, bewaartermijn en het logboek",
}


def group_role(role: str, database: str) -> str:
    """The server's name of one of :data:`ROLES` in one school database (``zorg`` in ``notelaar`` →
    ``ouder_tui_notelaar_zorg``); at most 63 characters, PostgreSQL's limit."""
    return f"{ROLE_PREFIX}{database[: 63 - len(ROLE_PREFIX) - len(role) - 1]}_{role}"


def _quoted(name: str) -> str:
    """An identifier for the SQL below (role names hold the database's name)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def create_sql(database: str, tables: list[str] | tuple[str, ...] = ()) -> str:
    """The statements that create (or complete) the schema of school database ``database``; safe to run again.

    ``tables`` get their id sequence now (others get one on first use).
    """
    zorg, leerkracht, beheer = (_quoted(group_role(r, database)) for r in ("zorg", "leerkracht", "beheer"))
    everyone = f"{zorg}, {leerkracht}, {beheer}"
    beheer_lit = _literal(group_role("beheer", database))
    return f"""
CREATE SCHEMA IF NOT EXISTS ouder_tui;
SET LOCAL search_path = ouder_tui, pg_temp;

-- The time as the app writes it everywhere: ISO 8601 with the offset, as text (kept as written, so a
-- database moved in from a file keeps its stamps exactly, whatever time zone that PC was in).
CREATE OR REPLACE FUNCTION nu() RETURNS text LANGUAGE sql STABLE AS $$ SELECT to_jsonb(now()) #>> '{{}}' $$;

CREATE TABLE IF NOT EXISTS meta (sleutel text PRIMARY KEY, waarde jsonb NOT NULL);
INSERT INTO meta VALUES ('schema_version', '{SERVER_SCHEMA}'::jsonb), ('created_at', to_jsonb(now()))
    ON CONFLICT (sleutel) DO NOTHING;
-- Running this again on an older schema brings it up to this version (every statement here is safe to repeat).
UPDATE meta SET waarde = '{SERVER_SCHEMA}'::jsonb WHERE sleutel = 'schema_version' AND (waarde #>> '{{}}')::int < {SERVER_SCHEMA};

CREATE TABLE IF NOT EXISTS records (
    tabel text NOT NULL,
    id bigint NOT NULL,
    rev integer NOT NULL DEFAULT 1,
    data jsonb NOT NULL,
    created_by text DEFAULT session_user,
    created_at text DEFAULT nu(),
    changed_by text DEFAULT session_user,
    changed_at text DEFAULT nu(),
    PRIMARY KEY (tabel, id)
);
CREATE TABLE IF NOT EXISTS vertrouwelijk (
    tabel text NOT NULL,
    id bigint NOT NULL,
    data jsonb NOT NULL,
    PRIMARY KEY (tabel, id)
);
CREATE TABLE IF NOT EXISTS prullenbak (
    id bigint PRIMARY KEY,
    tabel text NOT NULL,
    record_id bigint NOT NULL,
    label text NOT NULL DEFAULT '',
    record jsonb NOT NULL,
    deleted_by text DEFAULT session_user,
    deleted_at text DEFAULT nu()
);
CREATE TABLE IF NOT EXISTS logboek (
    id bigserial PRIMARY KEY,
    tabel text NOT NULL,
    record bigint,
    actie text NOT NULL,
    velden text[] NOT NULL DEFAULT '{{}}',
    door text NOT NULL DEFAULT session_user,
    op text NOT NULL DEFAULT nu(),
    aantal integer
);
CREATE INDEX IF NOT EXISTS logboek_record ON logboek (tabel, record);
DROP INDEX IF EXISTS records_tabel;  -- the primary key (tabel, id) serves a table's records, in order
-- Schema 3: the record as the app reads it (its fields with id, revision, who and when) kept as json text
-- beside the jsonb, filled by a trigger on every write: reading 50,000 records sends that text as it is
-- stored instead of converting each jsonb to text, and the app decodes it straight into its models.
ALTER TABLE records ADD COLUMN IF NOT EXISTS tekst json;
CREATE TABLE IF NOT EXISTS ids (tabel text PRIMARY KEY, volgende bigint NOT NULL);

-- Whether this transaction imports a whole database as it was (who and when kept): only for beheer.
CREATE OR REPLACE FUNCTION importing() RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT coalesce(current_setting('ouder_tui.importeren', true), '') = 'ja'
           AND pg_has_role(session_user, {beheer_lit}, 'MEMBER')
$$;

-- A new id for a table: from its own sequence, made on first use; never handed out twice.
CREATE OR REPLACE FUNCTION volgend_id(t text, n integer DEFAULT 1) RETURNS SETOF bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ouder_tui, pg_temp AS $$
DECLARE
    seq text := 'id_' || t;
BEGIN
    IF t !~ '^[a-z_][a-z0-9_]*$' THEN
        RAISE EXCEPTION 'ongeldige tabelnaam %', t;
    END IF;
    IF to_regclass('ouder_tui.' || quote_ident(seq)) IS NULL THEN
        BEGIN  -- two PCs may make it at the same moment: the second one uses the first one's
            EXECUTE format('CREATE SEQUENCE IF NOT EXISTS ouder_tui.%I', seq);
        EXCEPTION WHEN unique_violation OR duplicate_table THEN
            NULL;
        END;
    END IF;
    RETURN QUERY EXECUTE format('SELECT nextval(%L) FROM generate_series(1, %s)', 'ouder_tui.' || seq, n);
END $$;

-- Sequences after an import: past the highest id in use.
CREATE OR REPLACE FUNCTION ids_bijwerken() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ouder_tui, pg_temp AS $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT tabel, max(id) AS hoogste FROM records GROUP BY tabel
             UNION ALL SELECT '_prullenbak', max(id) FROM prullenbak HAVING max(id) IS NOT NULL LOOP
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS ouder_tui.%I', 'id_' || r.tabel);
        PERFORM setval(format('ouder_tui.%I', 'id_' || r.tabel), greatest(r.hoogste,
                       (SELECT coalesce(max(volgende) - 1, 0) FROM ids WHERE ids.tabel = r.tabel), 1));
    END LOOP;
    FOR r IN SELECT tabel, volgende FROM ids LOOP
        EXECUTE format('CREATE SEQUENCE IF NOT EXISTS ouder_tui.%I', 'id_' || r.tabel);
        PERFORM setval(format('ouder_tui.%I', 'id_' || r.tabel), greatest(r.volgende - 1, 1), r.volgende > 1);
    END LOOP;
END $$;

-- Stamps: who and when come from the server; the revision goes up by one per save.
CREATE OR REPLACE FUNCTION stempel() RETURNS trigger LANGUAGE plpgsql SET search_path = ouder_tui, pg_temp AS $$
BEGIN
    IF importing() THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF coalesce(current_setting('ouder_tui.actie', true), '') <> 'teruggezet' THEN
            NEW.created_by := session_user;  -- a restored record keeps who made it and its revision
            NEW.created_at := nu();
            NEW.rev := 1;
        END IF;
    ELSE
        NEW.created_by := OLD.created_by;
        NEW.created_at := OLD.created_at;
        NEW.rev := OLD.rev + 1;
    END IF;
    NEW.changed_by := session_user;
    NEW.changed_at := nu();
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS stempel ON records;
CREATE TRIGGER stempel BEFORE INSERT OR UPDATE ON records FOR EACH ROW EXECUTE FUNCTION stempel();

-- The log, written by the database itself: field names, never values.
CREATE OR REPLACE FUNCTION log_record() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ouder_tui, pg_temp AS $$
DECLARE
    actie text := nullif(current_setting('ouder_tui.actie', true), '');
    velden text[] := '{{}}';
BEGIN
    IF importing() OR actie = 'gewist' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO logboek (tabel, record, actie) VALUES (NEW.tabel, NEW.id, coalesce(actie, 'aangemaakt'));
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT coalesce(array_agg(k ORDER BY k), '{{}}') INTO velden FROM (
            SELECT key AS k FROM jsonb_each(NEW.data)
            UNION SELECT key FROM jsonb_each(OLD.data)) keys
        WHERE NEW.data -> k IS DISTINCT FROM OLD.data -> k;
        INSERT INTO logboek (tabel, record, actie, velden) VALUES (NEW.tabel, NEW.id, 'gewijzigd', velden);
    ELSE
        INSERT INTO logboek (tabel, record, actie) VALUES (OLD.tabel, OLD.id, coalesce(actie, 'verwijderd'));
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION tekst() RETURNS trigger LANGUAGE plpgsql SET search_path = ouder_tui, pg_temp AS $$
BEGIN  -- runs after stempel (triggers of one kind run in the order of their names): the final stamps
    NEW.tekst := (NEW.data || jsonb_strip_nulls(jsonb_build_object('id', NEW.id, '_rev', NEW.rev,
        '_created_by', NEW.created_by, '_created_at', NEW.created_at, '_changed_by', NEW.changed_by,
        '_changed_at', NEW.changed_at)))::json;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS tekst ON records;
CREATE TRIGGER tekst BEFORE INSERT OR UPDATE ON records FOR EACH ROW EXECUTE FUNCTION tekst();
-- Records of before schema 3 get theirs once, without being stamped, logged or announced as changed.
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM records WHERE tekst IS NULL) THEN
        ALTER TABLE records DISABLE TRIGGER USER;
        UPDATE records SET tekst = (data || jsonb_strip_nulls(jsonb_build_object('id', id, '_rev', rev,
            '_created_by', created_by, '_created_at', created_at, '_changed_by', changed_by,
            '_changed_at', changed_at)))::json WHERE tekst IS NULL;
        ALTER TABLE records ENABLE TRIGGER USER;
    END IF;
END $$;

DROP TRIGGER IF EXISTS log_record ON records;
CREATE TRIGGER log_record AFTER INSERT OR UPDATE OR DELETE ON records FOR EACH ROW EXECUTE FUNCTION log_record();

CREATE OR REPLACE FUNCTION log_prullenbak() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ouder_tui, pg_temp AS $$
BEGIN
    IF importing() OR coalesce(current_setting('ouder_tui.actie', true), '') IN ('teruggezet', 'gewist') THEN
        RETURN NULL;
    END IF;
    INSERT INTO logboek (tabel, record, actie) VALUES (OLD.tabel, OLD.record_id, 'definitief');
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS log_prullenbak ON prullenbak;
CREATE TRIGGER log_prullenbak AFTER DELETE ON prullenbak FOR EACH ROW EXECUTE FUNCTION log_prullenbak();

CREATE OR REPLACE FUNCTION stempel_prullenbak() RETURNS trigger LANGUAGE plpgsql SET search_path = ouder_tui, pg_temp AS $$
BEGIN
    IF NOT importing() THEN
        NEW.deleted_by := session_user;
        NEW.deleted_at := nu();
    END IF;
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS stempel_prullenbak ON prullenbak;
CREATE TRIGGER stempel_prullenbak BEFORE INSERT ON prullenbak FOR EACH ROW EXECUTE FUNCTION stempel_prullenbak();

-- Every committed change wakes up the other PCs' open screens (LISTEN ouder_tui): 'tabel:id' for a record
-- (their lists follow that record alone), only the table while a whole database is moved in, '_prullenbak'.
CREATE OR REPLACE FUNCTION meld() RETURNS trigger LANGUAGE plpgsql SET search_path = ouder_tui, pg_temp AS $$
BEGIN
    PERFORM pg_notify('ouder_tui', CASE WHEN TG_TABLE_NAME <> 'records' THEN '_' || TG_TABLE_NAME
        WHEN importing() THEN coalesce(NEW.tabel, OLD.tabel)
        ELSE coalesce(NEW.tabel, OLD.tabel) || ':' || coalesce(NEW.id, OLD.id) END);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS meld ON records;
CREATE TRIGGER meld AFTER INSERT OR UPDATE OR DELETE ON records FOR EACH ROW EXECUTE FUNCTION meld();
DROP TRIGGER IF EXISTS meld ON prullenbak;
CREATE TRIGGER meld AFTER INSERT OR DELETE ON prullenbak FOR EACH ROW EXECUTE FUNCTION meld();

-- A confidential part follows its record into the bin and back, or is forgotten with it: for every
-- role (a teacher may delete a confidential visit), without anyone reading it on the way.
CREATE OR REPLACE FUNCTION verplaats_vertrouwelijk(van_tabel text, van_id bigint, naar_tabel text, naar_id bigint)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ouder_tui, pg_temp AS $$
    UPDATE vertrouwelijk SET tabel = naar_tabel, id = naar_id WHERE tabel = van_tabel AND id = van_id
$$;
CREATE OR REPLACE FUNCTION vergeet_vertrouwelijk(van_tabel text, van_id bigint)
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = ouder_tui, pg_temp AS $$
    DELETE FROM vertrouwelijk WHERE tabel = van_tabel AND id = van_id
$$;

-- Erasure: records, their confidential parts, bin entries and log lines go; one line says it happened.
CREATE OR REPLACE FUNCTION wis(tabellen text[], ids bigint[], bak_ids bigint[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = ouder_tui, pg_temp AS $$
DECLARE
    n integer := 0;
    m integer;
BEGIN
    IF NOT pg_has_role(session_user, {beheer_lit}, 'MEMBER') THEN
        RAISE EXCEPTION 'alleen beheer mag gegevens wissen' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM set_config('ouder_tui.actie', 'gewist', true);
    WITH weg AS (SELECT * FROM unnest(tabellen, ids) AS w(tabel, id))
    DELETE FROM records r USING weg WHERE r.tabel = weg.tabel AND r.id = weg.id;
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM vertrouwelijk v USING unnest(tabellen, ids) AS w(tabel, id)
        WHERE v.tabel = w.tabel AND v.id = w.id;
    DELETE FROM vertrouwelijk WHERE tabel = '_prullenbak' AND id IN (
        SELECT p.id FROM prullenbak p LEFT JOIN unnest(tabellen, ids) AS w(tabel, id)
            ON p.tabel = w.tabel AND p.record_id = w.id
        WHERE p.id = ANY(bak_ids) OR w.id IS NOT NULL);
    DELETE FROM prullenbak p WHERE p.id = ANY(bak_ids) OR EXISTS (
        SELECT 1 FROM unnest(tabellen, ids) AS w(tabel, id) WHERE p.tabel = w.tabel AND p.record_id = w.id);
    GET DIAGNOSTICS m = ROW_COUNT;
    n := n + m;
    DELETE FROM logboek l USING unnest(tabellen, ids) AS w(tabel, id) WHERE l.tabel = w.tabel AND l.record = w.id;
    INSERT INTO logboek (tabel, record, actie, aantal) VALUES ('', NULL, 'gewist', n);
    PERFORM set_config('ouder_tui.actie', '', true);
    RETURN n;
END $$;

-- The id sequences of the tables the app knows.
{"".join(f"SELECT count(*) FROM volgend_id('{t}', 0);" + chr(10) for t in tables)}
-- Roles and what they may do.
DO $$ BEGIN
    CREATE ROLE {zorg} NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
    CREATE ROLE {leerkracht} NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
    CREATE ROLE {beheer} NOLOGIN;
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- Only this school's roles may connect (the owner of the database may; otherwise a note, see pgadmin).
DO $$ BEGIN
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {everyone}', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'geen eigenaar van de databank: CONNECT niet beperkt';
END $$;
REVOKE ALL ON ALL TABLES IN SCHEMA ouder_tui FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA ouder_tui FROM PUBLIC;
GRANT USAGE ON SCHEMA ouder_tui TO {everyone};
GRANT SELECT ON meta, logboek TO {everyone};
GRANT SELECT, INSERT, UPDATE, DELETE ON records, prullenbak TO {everyone};
GRANT SELECT, INSERT, UPDATE, DELETE ON vertrouwelijk TO {zorg};
GRANT INSERT, UPDATE, DELETE ON ids, vertrouwelijk TO {beheer};
GRANT SELECT ON ids TO {everyone};
GRANT EXECUTE ON FUNCTION volgend_id(text, integer), importing(), nu(), verplaats_vertrouwelijk(text, bigint, text, bigint),
    vergeet_vertrouwelijk(text, bigint) TO {everyone};
GRANT EXECUTE ON FUNCTION wis(text[], bigint[], bigint[]), ids_bijwerken() TO {beheer};

-- The settings are for beheer; everything else for every role.
ALTER TABLE records ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS lezen ON records;
CREATE POLICY lezen ON records FOR SELECT USING (true);
DROP POLICY IF EXISTS toevoegen ON records;
CREATE POLICY toevoegen ON records FOR INSERT
    WITH CHECK (tabel <> 'instellingen' OR pg_has_role(session_user, {beheer_lit}, 'MEMBER'));
DROP POLICY IF EXISTS wijzigen ON records;
CREATE POLICY wijzigen ON records FOR UPDATE USING (true)
    WITH CHECK (tabel <> 'instellingen' OR pg_has_role(session_user, {beheer_lit}, 'MEMBER'));
DROP POLICY IF EXISTS verwijderen ON records;
CREATE POLICY verwijderen ON records FOR DELETE
    USING (tabel <> 'instellingen' OR pg_has_role(session_user, {beheer_lit}, 'MEMBER'));
"""

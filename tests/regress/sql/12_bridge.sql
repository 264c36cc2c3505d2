-- The bridge language and the first bridged functions (the pool is the one
-- the preloaded extension's background worker runs for this server).
SELECT lanname, lanpltrusted, lanispl,
       lanplcallfoid::regproc AS handler, lanvalidator::regproc AS validator
  FROM pg_language WHERE lanname = 'kmersearch_bridge';

-- Bridged functions: the language, the handler name as body, never parallel.
SELECT p.oid::regprocedure AS function, p.prosrc AS handler, p.provolatile, p.proisstrict, p.proparallel, p.proretset
  FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE l.lanname = 'kmersearch_bridge'
 ORDER BY 1::text COLLATE "C";

-- The pool answers: one row for itself, one for this very call.
SELECT count(*) AS rows,
       count(*) FILTER (WHERE job IS NULL) AS pool_rows,
       count(*) FILTER (WHERE caller_pid = pg_backend_pid() AND handler = 'kmersearch_worker_status') AS own_job,
       bool_and(version <> '' AND pid > 0 AND uptime_seconds >= 0) AS pool_fields
  FROM kmersearch_worker_status();

-- A second call in the same session reuses the connection.
SELECT count(*) >= 2 AS answered FROM kmersearch_worker_status();

-- A body must be a handler name.
CREATE FUNCTION bridge_bad() RETURNS int LANGUAGE kmersearch_bridge AS 'Not A Handler';
CREATE FUNCTION bridge_bad() RETURNS int LANGUAGE kmersearch_bridge AS 'a..b';
CREATE FUNCTION bridge_bad(internal) RETURNS int LANGUAGE kmersearch_bridge AS 'diagnostics.echo';
CREATE FUNCTION bridge_bad() RETURNS trigger LANGUAGE kmersearch_bridge AS 'diagnostics.echo';

-- The language is untrusted: only superusers declare functions in it.
CREATE ROLE bridge_regress_user;
GRANT CREATE ON SCHEMA public TO bridge_regress_user;
SET ROLE bridge_regress_user;
CREATE FUNCTION bridge_mine() RETURNS int LANGUAGE kmersearch_bridge AS 'diagnostics.echo';
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM bridge_regress_user;
DROP ROLE bridge_regress_user;

-- Pool settings: set in postgresql.conf (reload), not per session.
SELECT name, setting, context FROM pg_settings
 WHERE name IN ('kmersearch.worker_pool_size', 'kmersearch.worker_autostart') ORDER BY name;
SET kmersearch.worker_pool_size = 8;

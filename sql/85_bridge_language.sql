-- The bridge to the .NET worker pool: a small procedural language whose
-- functions run in the pool.  A function's body is the name of the pool's
-- handler; the declarations of the extension's bridged functions are
-- generated from the handlers (90_bridged_functions.sql).  The language is
-- not trusted: only superusers can declare functions in it.

CREATE FUNCTION kmersearch_bridge_call_handler()
    RETURNS language_handler
    AS 'MODULE_PATHNAME', 'kmersearch_bridge_call_handler'
    LANGUAGE C;

CREATE FUNCTION kmersearch_bridge_validator(oid)
    RETURNS void
    AS 'MODULE_PATHNAME', 'kmersearch_bridge_validator'
    LANGUAGE C STRICT;

CREATE LANGUAGE kmersearch_bridge
    HANDLER kmersearch_bridge_call_handler
    VALIDATOR kmersearch_bridge_validator;

COMMENT ON LANGUAGE kmersearch_bridge IS 'Functions that run in the pg_kmersearch worker pool (the body names the handler)';

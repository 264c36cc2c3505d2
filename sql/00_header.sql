-- pg_kmersearch 1.0 install script, assembled by bridge-ext/Makefile from the
-- ordered parts in sql/.  Do not edit the assembled file; edit the parts.

\echo Use "CREATE EXTENSION pg_kmersearch" to load this file. \quit

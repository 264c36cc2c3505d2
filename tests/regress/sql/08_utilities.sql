-- Build number and SIMD capability (shared/spec/utilities.md §1-2).
SELECT kmersearch_show_buildno() ~ '^1\.0\.\d{4}\.\d{2}\.\d{2}$' AS buildno_format;

SELECT kmersearch_simd_capability() IN ('None', 'AVX2', 'AVX2+BMI2', 'AVX512F', 'AVX512F+AVX512BW',
       'AVX512F+AVX512BW+AVX512VBMI', 'AVX512F+AVX512BW+AVX512VBMI+AVX512VBMI2',
       'NEON', 'NEON+SVE', 'NEON+SVE+SVE2') AS known_level;

-- Forcing a level (0 exists everywhere) says what it was forced from.
SET kmersearch.force_simd_capability = 0;
SELECT kmersearch_simd_capability() ~ '^None \(forced from [A-Z0-9+]+\)$' AS forced_format;
RESET kmersearch.force_simd_capability;
SELECT kmersearch_simd_capability() !~ 'forced' AS auto_again;

-- DROP EXTENSION removes everything it created (the event triggers stay quiet).
DROP EXTENSION pg_kmersearch;
SELECT count(*) AS leftover_types FROM pg_type WHERE typname IN ('dna2', 'dna4');
SELECT count(*) AS leftover_tables FROM pg_class WHERE relname LIKE 'kmersearch\_%';
SELECT count(*) AS leftover_event_triggers FROM pg_event_trigger WHERE evtname LIKE 'kmersearch\_%';
CREATE EXTENSION pg_kmersearch;

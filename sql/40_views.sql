-- Management views.

-- One row per analysis.  highfreq_kmer_count counts the keys of that very
-- analysis (same k and b); the original counted every k and b (quirk Q8).
CREATE VIEW kmersearch_analysis_status AS
SELECT m.table_oid,
       c.relname AS table_name,
       m.column_name,
       m.kmer_size,
       m.occur_bitlen,
       m.max_appearance_rate,
       m.max_appearance_nrow,
       m.analysis_timestamp,
       (SELECT count(*)
          FROM kmersearch_highfreq_kmer h
         WHERE h.table_oid = m.table_oid
           AND h.column_name = m.column_name
           AND h.kmer_size = m.kmer_size
           AND h.occur_bitlen = m.occur_bitlen) AS highfreq_kmer_count
  FROM kmersearch_highfreq_kmer_meta m
  LEFT JOIN pg_catalog.pg_class c ON c.oid = m.table_oid;

#!/usr/bin/env python3
"""gen_reads.py - reads sampled from a genome, for the benchmarks.

    gen_reads.py GENOME.fa.gz OUT ROWS READ_LEN SEED

Writes ROWS reads of READ_LEN bases, one per line, to OUT: each from a
pseudo-random position of the genome (gzipped FASTA, A/C/G/T only), half of
them from the reverse complement, with 0-3 random substitutions
(Binomial(3, 1/2)). Deterministic for a given SEED. Prints one line of
statistics to stdout. Used by types_bench.sh and analysis_bench.sh.
"""
import gzip, random, sys

genome_path, out_path, rows, read_len, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
with gzip.open(genome_path, "rt") as f:
    genome = "".join(line.strip() for line in f if not line.startswith(">")).upper()
if set(genome) - set("ACGT"):
    sys.exit("genome has letters other than ACGT")
if len(genome) < read_len:
    sys.exit("read length is longer than the genome")
revcomp = genome.translate(str.maketrans("ACGT", "TGCA"))[::-1]
other = {b: [x for x in "ACGT" if x != b] for b in "ACGT"}

rng = random.Random(seed)
span = len(genome) - read_len + 1
minus = subs = 0
with open(out_path, "w") as out:
    batch = []
    for _ in range(rows):
        if rng.random() < 0.5:
            src = genome
        else:
            src = revcomp
            minus += 1
        pos = rng.randrange(span)
        read = list(src[pos:pos + read_len])
        # 0-3 substitutions per read, Binomial(3, 1/2): mean 1.5 (1% at 150 bases).
        k = (rng.random() < 0.5) + (rng.random() < 0.5) + (rng.random() < 0.5)
        for i in rng.sample(range(read_len), k):
            read[i] = rng.choice(other[read[i]])
        subs += k
        batch.append("".join(read))
        if len(batch) == 10000:
            out.write("\n".join(batch) + "\n")
            batch = []
    if batch:
        out.write("\n".join(batch) + "\n")
print(f"{rows} reads x {read_len} bases from lambda phage ({len(genome)} bp), "
      f"{minus} ({100.0 * minus / rows:.1f}%) from the minus strand, seed {seed}, "
      f"{subs} substitutions ({subs / rows:.2f} per read)")

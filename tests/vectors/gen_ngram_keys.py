#!/usr/bin/env python3
"""Writes ngram_keys.tsv: the n-gram keys of DNA2/DNA4 values and query texts.

This is a deliberately naive reference, written straight from
shared/spec/kmers-and-gin.md sections 1-3 (and DECISIONS.md Q7): strings,
slices and a dict, no bit tricks beyond the final key layout.  It is meant to
be obviously correct, not fast.  Every worked example of the spec is checked
with an assert below, so the script fails if it ever disagrees with the spec.

Output: PostgreSQL COPY text format with a header line, columns
    source  dna2 | dna4 | query
    k       kmersearch.kmer_size
    b       kmersearch.occur_bitlen
    input   dna2/dna4: text the type accepts (it is cast to the type);
            query: the query text exactly as a user types it
    keys    the emitted keys in emission order, unsigned decimal, separated by
            single spaces; an empty field when there are no keys

Deterministic: a fixed seed, no dependence on the environment; running it
twice yields the identical file.  Usage: python3 gen_ngram_keys.py [out.tsv]
"""

import os
import random
import sys

# Section 1: base-4 digits, first base most significant.
DIGIT = {"A": 0, "C": 1, "G": 2, "T": 3}

# The bases each symbol stands for, in A < C < G < T order (section 3.2).
MEANING = {
    "A": "A", "C": "C", "G": "G", "T": "T",
    "M": "AC", "R": "AG", "W": "AT", "S": "CG", "Y": "CT", "K": "GT",
    "V": "ACG", "H": "ACT", "D": "AGT", "B": "CGT",
    "N": "ACGT",
}
AMBIGUOUS = "MRWSYKVHDB"  # the 2-way and 3-way codes; N is handled apart
QUERY_LETTERS = "ACGTUMRWSYKVHDBN"

K_VALUES = [4, 5, 7, 8, 11, 12, 15, 16, 20, 28, 31, 32]
B_VALUES = [0, 1, 2, 4, 8, 16]


def normalize(text):
    """Case-insensitive, U is T."""
    return text.upper().replace("U", "T")


def kmer_value(kmer):
    value = 0
    for base in kmer:
        value = value * 4 + DIGIT[base]
    return value


def window_kmers(sequence, k, degenerate):
    """The standard k-mers of each window, window by window (sections 2, 3)."""
    for start in range(0, len(sequence) - k + 1):
        window = sequence[start:start + k]
        if not degenerate:
            yield [window]
            continue
        if "N" in window:
            continue
        ambiguous = [i for i, symbol in enumerate(window) if symbol in AMBIGUOUS]
        if len(ambiguous) >= 2:
            continue
        if not ambiguous:
            yield [window]
            continue
        i = ambiguous[0]
        yield [window[:i] + alternative + window[i + 1:] for alternative in MEANING[window[i]]]


def ngram_keys(sequence, k, b, degenerate):
    """Section 2: one occurrence counter per k-mer value for the whole sequence."""
    counts = {}
    keys = []
    for kmers in window_kmers(sequence, k, degenerate):
        for kmer in kmers:
            v = kmer_value(kmer)
            c = counts.get(v, 0) + 1
            counts[v] = c
            if b == 0:
                if c == 1:
                    keys.append(v)
            elif c <= 2 ** b:
                keys.append((v << b) | (c - 1))
    return keys


def keys_of(source, text, k, b):
    """Keys of one row; checks the input is what the source accepts."""
    assert 4 <= k <= 32 and 0 <= b <= 16 and 2 * k + b <= 64, (k, b)
    if source == "dna2":
        assert all(ch in "ACGTU" for ch in text.upper()), text
        return ngram_keys(normalize(text), k, b, degenerate=False)
    if source == "dna4":
        assert all(ch in QUERY_LETTERS for ch in text.upper()), text
        # DECISIONS.md Q7: a stored value shorter than k has no keys.
        return ngram_keys(normalize(text), k, b, degenerate=True)
    if source == "query":
        # Shorter than k or a foreign byte is an error (22023 / 22P02), so such
        # queries are not key vectors.
        assert len(text.encode("utf-8")) >= k, text
        assert all(ch in QUERY_LETTERS for ch in text.upper()), text
        return ngram_keys(normalize(text), k, b, degenerate=True)
    raise AssertionError(source)


def check_spec_examples():
    # Section 1 (k = 4).
    for kmer, value in [("AAAA", 0), ("ACGT", 27), ("CGTA", 108), ("GTAC", 177), ("TACG", 198), ("TTTT", 255)]:
        assert kmer_value(kmer) == value, kmer
        for source in ("dna2", "dna4", "query"):
            assert keys_of(source, kmer, 4, 0) == [value]

    # Section 2 worked example.
    for source in ("dna2", "dna4", "query"):
        assert keys_of(source, "ACGTACGTAC", 4, 8) == [6912, 27648, 45312, 50688, 6913, 27649, 45313]
        assert keys_of(source, "ACGTACGTAC", 4, 1) == [54, 216, 354, 396, 55, 217, 355]
        assert keys_of(source, "ACGTACGTAC", 4, 0) == [27, 108, 177, 198]
        # Cap example.
        assert keys_of(source, "AAAAAAA", 4, 1) == [0, 1]
        assert keys_of(source, "AAAAAAA", 4, 0) == [0]
        assert keys_of(source, "AAAAAAA", 4, 8) == [0, 1, 2, 3]

    # Section 3.2 (k = 4, b = 8).
    for source in ("dna4", "query"):
        assert keys_of(source, "ACGRT", 4, 8) == [6144, 6656, 25344, 27392]
        assert keys_of(source, "ACNGTACGT", 4, 8) == [45312, 50688, 6912]
        assert keys_of(source, "ACRYTT", 4, 8) == []
        assert keys_of(source, "AAAAR", 4, 8) == [0, 1, 512]
    assert [kmer_value(x) << 8 for x in ("ACGA", "ACGG", "CGAT", "CGGT")] == [6144, 6656, 25344, 27392]

    # search-and-scoring.md section 7: matchscore = |keys(v) & keys(q)|.
    def score(source, value, query, k, b):
        return len(set(keys_of(source, value, k, b)) & set(keys_of("query", query, k, b)))

    assert score("dna2", "TTACGTACGTAA", "ACGTACGTAC", 4, 8) == 6
    assert score("dna2", "TTACGTACGTAA", "ACGTACGTAC", 4, 0) == 4
    for b in (0, 1, 8):
        assert score("dna4", "ACGGT", "ACGRT", 4, b) == 2
        assert score("dna4", "ACGRT", "ACGGT", 4, b) == 2
        assert score("dna4", "NNNNNN", "ACGTAC", 4, b) == 0
        assert keys_of("dna4", "NNNNNN", 4, b) == []
        assert score("dna2", "GATTACAGATTACA", "GATTACA", 5, b) == 3
    # A stored value shorter than k has no keys (DECISIONS.md Q7 replaces the 22023 of the original).
    assert keys_of("dna2", "ACG", 4, 8) == []
    assert keys_of("dna4", "ACG", 4, 8) == []

    # Keys with the top bit of their width set.
    assert keys_of("dna2", "GAAA", 4, 8) == [0x8000]
    assert keys_of("dna2", "TTTTTTTT", 8, 0) == [0xFFFF]
    assert keys_of("dna2", "G" + "A" * 15, 16, 0) == [0x80000000]
    assert keys_of("dna2", "T" * 12, 12, 8) == [0xFFFFFF00]
    assert keys_of("dna2", "T" * 32, 32, 0) == [0xFFFFFFFFFFFFFFFF]
    assert keys_of("dna2", "G" + "A" * 27, 28, 8) == [0x8000000000000000]
    assert keys_of("dna2", "T" * 25, 24, 16) == [0xFFFFFFFFFFFF0000, 0xFFFFFFFFFFFF0001]


class Rows:
    def __init__(self):
        self.rows = []
        self.seen = set()

    def add(self, source, k, b, text):
        if 2 * k + b > 64:
            return
        if source == "query" and len(text) < k:
            return
        row = (source, k, b, text)
        if row in self.seen:
            return
        self.seen.add(row)
        self.rows.append(row)

    def add_all_sources(self, k, b, text, sources=("dna2", "dna4", "query")):
        for source in sources:
            if source == "dna2" and any(ch not in "ACGTU" for ch in text.upper()):
                continue
            self.add(source, k, b, text)


def random_standard(rng, length):
    return "".join(rng.choice("ACGT") for _ in range(length))


def random_degenerate(rng, length, k):
    """ACGT with sparse ambiguity codes and N, so that windows with zero and
    with one ambiguity code both occur (and some are skipped) for every k."""
    p_ambiguous = min(0.15, 0.8 / k)
    p_n = 0.01 if rng.random() < 0.7 else 0.0
    out = []
    for _ in range(length):
        x = rng.random()
        if x < p_n:
            out.append("N")
        elif x < p_n + p_ambiguous:
            out.append(rng.choice(AMBIGUOUS))
        else:
            out.append(rng.choice("ACGT"))
    return "".join(out)


def random_case(rng, text, u_too):
    out = []
    for ch in text:
        if u_too and ch == "T" and rng.random() < 0.3:
            ch = "U"
        if rng.random() < 0.5:
            ch = ch.lower()
        out.append(ch)
    return "".join(out)


def repeated_motif(rng, length):
    motif = random_standard(rng, rng.randint(3, 40))
    return (motif * (length // len(motif) + 1))[:length]


def build_rows():
    rows = Rows()

    # Spec examples, k = 4.
    for kmer in ("AAAA", "ACGT", "CGTA", "GTAC", "TACG", "TTTT"):
        rows.add_all_sources(4, 0, kmer)
    for b in (8, 1, 0):
        rows.add_all_sources(4, b, "ACGTACGTAC")
    for b in (1, 0, 8, 2):
        rows.add_all_sources(4, b, "AAAAAAA")
    for text in ("ACGRT", "ACNGTACGT", "ACRYTT", "AAAAR"):
        rows.add_all_sources(4, 8, text, ("dna4", "query"))
    # search-and-scoring.md section 7.
    for b in (8, 0):
        rows.add("dna2", 4, b, "TTACGTACGTAA")
    for b in (0, 1, 8):
        rows.add_all_sources(4, b, "ACGGT")
        rows.add_all_sources(4, b, "ACGRT", ("dna4", "query"))
        rows.add("dna4", 4, b, "NNNNNN")
        rows.add_all_sources(4, b, "ACGTAC")
        rows.add_all_sources(5, b, "GATTACAGATTACA", ("dna2", "dna4"))
        rows.add("query", 5, b, "GATTACA")
    rows.add_all_sources(4, 8, "ACG", ("dna2", "dna4"))

    # Stored values shorter than k: no keys.  Exactly k bases: one window.
    for k, b in ((4, 8), (5, 0), (8, 8), (16, 8), (31, 2), (32, 0)):
        for text in ("", "A", "T" * (k - 1), ("CATTAG" * 6)[: k - 1]):
            rows.add_all_sources(k, b, text, ("dna2", "dna4"))
        rows.add("dna4", k, b, "N" * (k - 1))
        exact = ("GATTACA" * 5)[:k]
        rows.add_all_sources(k, b, exact)
        rows.add_all_sources(k, b, exact[:-1] + "R", ("dna4", "query"))
        rows.add_all_sources(k, b, "N" * k, ("dna4", "query"))
        rows.add_all_sources(k, b, "N" * (k + 7), ("dna4", "query"))

    # Lower case and U.
    rows.add_all_sources(4, 8, "acgtacgtac")
    rows.add_all_sources(4, 8, "ACGUACGUAC")
    rows.add_all_sources(4, 8, "acguAcgUac")
    rows.add_all_sources(5, 4, "gattacaGATTACAuuu")
    rows.add_all_sources(4, 8, "acgrt", ("dna4", "query"))
    rows.add_all_sources(4, 8, "mrwsykvhdbnacgtu", ("dna4", "query"))
    rows.add_all_sources(4, 2, "aCgTuMrWsYkVhDbNn", ("dna4", "query"))

    # Every ambiguity code at every window position, and N blocking windows.
    for code in AMBIGUOUS:
        rows.add_all_sources(4, 8, "AAA" + code + "TTT", ("dna4", "query"))
    rows.add_all_sources(4, 8, "BAAAV", ("dna4", "query"))
    rows.add_all_sources(4, 8, "ACGTNACGTNACGT", ("dna4", "query"))
    rows.add_all_sources(5, 1, "AAAARAAAAYAAAAK", ("dna4", "query"))
    rows.add_all_sources(4, 1, "AAAAMAAAAWAAAA", ("dna4", "query"))
    rows.add_all_sources(4, 8, "RRRRRRRR", ("dna4", "query"))
    rows.add_all_sources(4, 0, "ARARARAR", ("dna4", "query"))

    # Repeats beyond the 2^b cap.
    for k in (4, 8, 16, 32):
        for b in (0, 1, 2, 4):
            for text in ("A" * 200, "AC" * 100):
                rows.add_all_sources(k, b, text)
    rows.add_all_sources(8, 2, "A" * 150 + "R" + "A" * 20, ("dna4", "query"))
    rows.add_all_sources(4, 4, "ACGT" * 50)
    rows.add_all_sources(4, 16, "ACGT" * 50)

    # Keys with the top bit of their width set (T = 16, 32, 64).
    for k, b, text in (
        (4, 8, "GAAA"), (4, 8, "TTTT"), (8, 0, "GAAAAAAA"), (8, 0, "TTTTTTTT"), (7, 2, "GTTTTTT"),
        (16, 0, "G" + "A" * 15), (12, 8, "T" * 12), (15, 2, "GCA" * 5), (8, 16, "TGCATGCA"),
        (32, 0, "T" * 32), (32, 0, "G" + "A" * 31), (28, 8, "G" + "A" * 27), (24, 16, "T" * 25),
        (31, 2, "T" * 31), (20, 16, "G" * 20), (16, 16, "TACG" * 4),
    ):
        rows.add_all_sources(k, b, text)
        rows.add_all_sources(k, b, "K" + text[1:], ("dna4", "query"))

    # Random sequences from a fixed seed, for every k and several b.
    rng = random.Random(20240917)
    for k in K_VALUES + [24]:
        for b in B_VALUES:
            if 2 * k + b > 64:
                continue
            rows.add("dna2", k, b, random_case(rng, random_standard(rng, rng.randint(k, 200)), u_too=True))
            rows.add("dna2", k, b, repeated_motif(rng, rng.randint(k, 200)))
            rows.add("dna4", k, b, random_degenerate(rng, rng.randint(k, 200), k))
            rows.add("query", k, b, random_case(rng, random_degenerate(rng, rng.randint(k, 200), k), u_too=True))
        # Short random sequences around k (some below, for stored values).
        for _ in range(2):
            b = rng.choice([x for x in B_VALUES if 2 * k + x <= 64])
            length = rng.randint(max(0, k - 3), k + 3)
            rows.add("dna2", k, b, random_standard(rng, length))
            rows.add("dna4", k, b, random_degenerate(rng, length, k))
    return rows.rows


def main():
    check_spec_examples()
    out_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "ngram_keys.tsv")
    lines = ["source\tk\tb\tinput\tkeys"]
    for source, k, b, text in build_rows():
        keys = keys_of(source, text, k, b)
        assert all(0 <= key < 2 ** 64 for key in keys)
        assert len(set(keys)) == len(keys), "keys of one sequence are pairwise distinct"
        lines.append("\t".join([source, str(k), str(b), text, " ".join(str(key) for key in keys)]))
    with open(out_path, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Generates common/viet_table.h (NFC composition and search folding for Latin letters)
and tests/tracking/nfc_vectors.h (test vectors checked against unicodedata.normalize).

Run from the source root:  /usr/bin/python3 tools/gen_viet_table.py
The output is committed; rerun only when the tables must change (e.g. a new Unicode version).
"""
import itertools
import sys
import unicodedata as ud

RANGES = [(0x00C0, 0x024F), (0x1E00, 0x1EFF)]


def in_ranges(cp):
    return any(lo <= cp <= hi for lo, hi in RANGES)


def canon_decomp(cp):
    """Canonical (not compatibility) decomposition of cp as a list of code points, or None."""
    d = ud.decomposition(chr(cp))
    if not d or d.startswith('<'):
        return None
    return [int(x, 16) for x in d.split()]


def build():
    decomp = {}   # cp -> (first, second)
    compose = {}  # (first, second) -> cp
    for lo, hi in RANGES:
        for cp in range(lo, hi + 1):
            d = canon_decomp(cp)
            if d is None:
                continue
            if len(d) != 2:
                sys.exit('unexpected decomposition of U+%04X: %r' % (cp, d))
            decomp[cp] = tuple(d)
            if ud.combining(chr(d[1])) == 0:    # text.c relies on marks being non-starters
                sys.exit('U+%04X: second element U+%04X is a starter' % (cp, d[1]))
            # Primary composites only: NFC of the pair must give the character back.
            if ud.normalize('NFC', chr(d[0]) + chr(d[1])) == chr(cp):
                compose[tuple(d)] = cp
    # Every first element of a pair must be decomposable by us or be a plain starter (no
    # decomposition), so that full decomposition then composition reaches every letter.
    for (a, _b) in compose:
        if not in_ranges(a) and canon_decomp(a) is not None:
            sys.exit('pair starter U+%04X outside the tables' % a)
    fold = {}
    for lo, hi in RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            if not ud.category(ch).startswith('L'):
                continue
            base = ud.normalize('NFD', ch)[0]
            if base.isascii() and base.isalpha():
                fold[cp] = ord(base.lower())
            elif cp in (0x0110, 0x0111):        # Đ đ
                fold[cp] = ord('d')
            elif len(ch.lower()) == 1 and ch.lower() != ch:
                low = ch.lower()
                lb = ud.normalize('NFD', low)[0]
                fold[cp] = ord(lb.lower()) if lb.isascii() and lb.isalpha() else ord(low)
    ccc = []
    start, cur = None, 0
    for cp in range(0, 0x110000):
        c = ud.combining(chr(cp)) if not 0xD800 <= cp <= 0xDFFF else 0
        if c != cur:
            if cur:
                ccc.append((start, cp - 1, cur))
            start, cur = cp, c
    if cur:
        ccc.append((start, 0x10FFFF, cur))
    return decomp, compose, fold, ccc


def simulate(s, decomp, compose, ccc):
    """The algorithm of common/text.c, in Python, to verify the tables."""
    def cc(cp):
        for lo, hi, c in ccc:
            if lo <= cp <= hi:
                return c
        return 0

    def full(cp, out):
        if cp in decomp:
            a, b = decomp[cp]
            full(a, out)
            out.append(b)
        else:
            out.append(cp)
    cps = []
    for ch in s:
        full(ord(ch), cps)
    # canonical ordering (stable sort of each run of non-starters)
    i = 0
    while i < len(cps):
        if cc(cps[i]) == 0:
            i += 1
            continue
        j = i
        while j < len(cps) and cc(cps[j]) != 0:
            j += 1
        cps[i:j] = sorted(cps[i:j], key=cc)
        i = j
    out = []
    starter = None   # index in out of the last starter
    last_cc = None   # class of the last code point appended after it, None if none
    for cp in cps:
        c = cc(cp)
        if starter is not None:
            blocked = last_cc is not None and (last_cc == 0 or last_cc >= c)
            if not blocked and (out[starter], cp) in compose:
                out[starter] = compose[(out[starter], cp)]
                continue
        if c == 0:
            starter, last_cc = len(out), None
        else:
            last_cc = c
        out.append(cp)
    return ''.join(chr(x) for x in out)


def c_escape(s):
    return ''.join(ch if 0x20 <= ord(ch) < 0x7F and ch not in '"\\?' else
                   ''.join('\\%03o' % b for b in ch.encode()) for ch in s)


def vectors():
    marks = [0x0300, 0x0301, 0x0303, 0x0309, 0x0323, 0x0302, 0x0306, 0x031B,
             0x0308, 0x0304, 0x0327, 0x030C, 0x0307]
    bases = list('aeiouyAEIOUYdDcCnNsSzZ') + ['\u00ea', '\u01a1', '\u01b0', '\u0103',
                                               '\u00e2', '\u00f4', '\u00ca', '\u0111']
    seqs = [()] + [(m,) for m in marks] + list(itertools.product(marks[:10], repeat=2))
    out = []
    for b in bases:
        for sq in seqs:
            s = b + ''.join(chr(m) for m in sq)
            out.append((s, ud.normalize('NFC', s)))
    # every letter of the ranges, decomposed, and once more with a trailing space
    for lo, hi in RANGES:
        for cp in range(lo, hi + 1):
            if canon_decomp(cp) is not None:
                s = ud.normalize('NFD', chr(cp))
                out.append((s + ' x', ud.normalize('NFC', s + ' x')))
    return out


def main():
    decomp, compose, fold, ccc = build()
    vec = vectors()
    bad = [(s, want) for s, want in vec if simulate(s, decomp, compose, ccc) != want]
    if bad:
        for s, want in bad[:10]:
            print('mismatch: %r -> %r, want %r' % (s, simulate(s, decomp, compose, ccc), want))
        sys.exit('the algorithm disagrees with unicodedata on %d vectors' % len(bad))

    with open('common/viet_table.h', 'w', encoding='utf-8') as f:
        f.write('/* viet_table.h — generated by tools/gen_viet_table.py from Unicode %s.\n'
                ' * Do not edit by hand. Included only by common/text.c. */\n'
                % ud.unidata_version)
        f.write('#ifndef HOSO_VIET_TABLE_H\n#define HOSO_VIET_TABLE_H\n\n'
                '#include <stdint.h>\n\n')
        for n, (lo, hi) in enumerate(RANGES):
            f.write('#define TEXT_RANGE%d_LO 0x%04X\n#define TEXT_RANGE%d_HI 0x%04X\n'
                    % (n, lo, n, hi))
        f.write('\n/* Canonical decomposition of each code point of a range into {first, mark};\n'
                ' * {0, 0} when it has none. */\n')
        for n, (lo, hi) in enumerate(RANGES):
            f.write('static const uint16_t text_decomp%d[0x%X][2] = {\n' % (n, hi - lo + 1))
            for cp in range(lo, hi + 1):
                if cp in decomp:
                    a, b = decomp[cp]
                    f.write('\t[0x%04X - 0x%04X] = {0x%04X, 0x%04X}, /* %s */\n'
                            % (cp, lo, a, b, ud.name(chr(cp)).lower()))
            f.write('};\n\n')
        f.write('/* Primary composites: (first << 16 | mark) -> code point, sorted by key. */\n'
                'static const struct text_pair { uint32_t key; uint16_t cp; } '
                'text_compose[] = {\n')
        for (a, b), cp in sorted(compose.items()):
            f.write('\t{0x%04X%04X, 0x%04X},\n' % (a, b, cp))
        f.write('};\n\n')
        f.write('/* Search folding: a letter of a range -> lower-case base letter (ASCII when\n'
                ' * the letter has one, d for đ/Đ); 0 when the letter folds to itself. */\n')
        for n, (lo, hi) in enumerate(RANGES):
            f.write('static const uint16_t text_fold%d[0x%X] = {\n' % (n, hi - lo + 1))
            for cp in range(lo, hi + 1):
                if cp in fold and fold[cp] != cp:
                    f.write('\t[0x%04X - 0x%04X] = 0x%04X,\n' % (cp, lo, fold[cp]))
            f.write('};\n\n')
        f.write('/* Canonical combining classes: {first, last, class}, sorted, non-zero only. */\n'
                'static const struct text_ccc { uint32_t lo, hi; uint8_t ccc; } '
                'text_ccc[] = {\n')
        for lo, hi, c in ccc:
            f.write('\t{0x%04X, 0x%04X, %d},\n' % (lo, hi, c))
        f.write('};\n\n#endif\n')

    with open('tests/tracking/nfc_vectors.h', 'w', encoding='utf-8') as f:
        f.write('/* nfc_vectors.h — generated by tools/gen_viet_table.py: input and its NFC\n'
                ' * according to Python unicodedata %s. Do not edit by hand. */\n'
                'static const char *const nfc_vectors[][2] = {\n' % ud.unidata_version)
        for s, want in vec:
            f.write('\t{"%s", "%s"},\n' % (c_escape(s), c_escape(want)))
        f.write('};\n')
    print('viet_table.h: %d decompositions, %d compositions, %d folds, %d ccc ranges; '
          '%d vectors' % (len(decomp), len(compose), len(fold), len(ccc), len(vec)))


if __name__ == '__main__':
    main()

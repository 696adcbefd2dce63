#!/usr/bin/python3
"""make_font.py — derive hoso's embedded label font from a system TrueType font.

    make_font.py [--label] INPUT.ttf OUTPUT.ttf [FAMILY-NAME]

With --label the subset is only what an item label can hold (Basic Latin, Latin-1, the
Vietnamese letters, a little punctuation, the dong sign): a lone label embeds that one face,
so its size drives the per-document cost of libharu (reading, copying and compressing it).

libharu 2.3.0 embeds only the first level of composite glyphs, so Vietnamese letters with two
marks (ồ ễ ầ ế ...), which DejaVu builds from composites of composites, lose their second mark
on the printed page. This script:

  1. subsets the font to the characters labels use (Latin, Latin-1, Latin Extended-A/B,
     the Vietnamese block U+1E00-1EFF, combining marks, punctuation, currency, a few symbols),
     dropping layout tables (GSUB/GPOS/kern/MATH) libharu never reads;
  2. decomposes every composite glyph into a plain outline, so no glyph refers to another,
     and fills small holes in the cmap with .notdef (fewer segments: libharu is faster);
  3. keeps the tables libharu needs to load and re-embed a TrueType font (head hhea maxp
     OS/2 cmap with a (3,1) format 4 subtable, hmtx loca glyf name post, and cvt fpgm prep,
     which are stubs of one no-op instruction: hinting is dropped, printed labels do not
     need it) and checks them.

Uses only fontTools (Debian python3-fonttools). Run with /usr/bin/python3.
"""
import array
import sys

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import ttProgram
from fontTools.ttLib.tables._g_l_y_f import Glyph

UNICODE_RANGES = [
    (0x0020, 0x007E),  # Basic Latin
    (0x00A0, 0x00FF),  # Latin-1 Supplement
    (0x0100, 0x017F),  # Latin Extended-A
    (0x0180, 0x024F),  # Latin Extended-B (ơ ư)
    (0x0300, 0x036F),  # Combining Diacritical Marks
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),  # General Punctuation (– — ‘ ’ “ ” • …)
    (0x20A0, 0x20CF),  # Currency Symbols (₫ U+20AB)
    (0x2116, 0x2116),  # Numero sign
    (0x2190, 0x2193),  # arrows
    (0x2610, 0x2612),  # ballot boxes ☐ ☑ ☒
    (0x2713, 0x2714),  # check marks
    (0x25A0, 0x25A1),  # squares
    (0xFFFD, 0xFFFD),  # replacement character
]

# --label: Basic Latin, Latin-1, the Vietnamese letters of Latin Extended-A/B (Ă ă Đ đ Ĩ ĩ Ũ ũ
# Ơ ơ Ư ư), the Vietnamese tone and vowel marks as combining characters, U+1EA0-1EF9, dashes,
# quotes, bullet, ellipsis, the dong sign, numero and the replacement character.
LABEL_RANGES = [
    (0x0020, 0x007E), (0x00A0, 0x00FF),
    (0x0102, 0x0103), (0x0110, 0x0111), (0x0128, 0x0129), (0x0168, 0x0169),
    (0x01A0, 0x01A1), (0x01AF, 0x01B0),
    (0x0300, 0x0303), (0x0306, 0x0306), (0x0309, 0x0309), (0x031B, 0x031B), (0x0323, 0x0323),
    (0x1EA0, 0x1EF9),
    (0x2010, 0x2015), (0x2018, 0x201F), (0x2022, 0x2022), (0x2026, 0x2026),
    (0x20AB, 0x20AB), (0x2116, 0x2116), (0xFFFD, 0xFFFD),
]

REQUIRED_TABLES = ["head", "hhea", "maxp", "OS/2", "cmap", "hmtx", "loca", "glyf",
                   "name", "post", "cvt ", "fpgm", "prep"]


def wanted_codepoints(font, ranges):
    cmap = font.getBestCmap()
    return [cp for lo, hi in ranges for cp in range(lo, hi + 1) if cp in cmap]


def subset_font(font, ranges):
    opts = subset.Options()
    opts.layout_features = []          # libharu does no shaping
    opts.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "MATH", "FFTM", "gasp"]
    opts.hinting = False               # printed labels need no hinting; saves ~40% of glyf
    opts.notdef_outline = True         # missing characters show a visible box
    opts.glyph_names = False           # post format 3: smaller
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    opts.name_languages = [0x0409]
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=wanted_codepoints(font, ranges))
    sub.subset(font)


def decompose_composites(font):
    """Replaces every composite glyph by a simple glyph with the same (flattened) outline."""
    glyf = font["glyf"]
    count = 0
    for name in font.getGlyphOrder():
        glyph = glyf[name]
        if not glyph.isComposite():
            continue
        coords, end_pts, flags = glyph.getCoordinates(glyf)  # recursive, transforms applied
        simple = Glyph()
        simple.numberOfContours = len(end_pts)
        simple.coordinates = coords
        simple.endPtsOfContours = list(end_pts)
        simple.flags = flags
        simple.program = ttProgram.Program()
        simple.program.fromBytecode(b"")
        simple.recalcBounds(glyf)
        glyf[name] = simple
        count += 1
    return count


def add_stub_hinting_tables(font):
    """libharu 2.3.0 refuses to embed a font without cvt, fpgm and prep: add stub ones.

    Each program is one SVTCA[x-axis] (0x01), which sets the default state: a no-op. It must
    not be empty: libharu re-embeds prep last, and when the subset before it ends exactly on
    its 4096-byte stream buffer, seeking to an empty table there fails (HPDF_INVALID_OBJECT
    on save, and a leak) -- found by fuzz_labels, see fuzz/regressions/fuzz_labels/."""
    from fontTools.ttLib import newTable
    for tag in ("fpgm", "prep"):
        if tag not in font:
            table = newTable(tag)
            table.program = ttProgram.Program()
            table.program.fromBytecode(b"\x01")
            font[tag] = table
    if "cvt " not in font:
        table = newTable("cvt ")
        table.values = array.array("h", [0])
        font["cvt "] = table


def fill_cmap_gaps(font, max_gap=1200):
    """Maps the small holes between covered ranges to .notdef, so that the format 4 cmap has
    3 segments instead of about 20. libharu 2.3.0 looks up all 65,536 code points, with a
    linear search over the segments, for every font of every document: this makes a lone
    label about 15% faster. Characters in the holes print as .notdef, as they would anyway."""
    for table in font["cmap"].tables:
        if not table.isUnicode():
            continue
        cps = sorted(table.cmap)
        for a, b in zip(cps, cps[1:]):
            if 1 < b - a <= max_gap:
                for cp in range(a + 1, b):
                    table.cmap[cp] = ".notdef"


def set_family(font, family):
    name = font["name"]
    ps = family.replace(" ", "")
    for rec in list(name.names):
        if rec.nameID in (1, 4):
            style = name.getDebugName(2) or "Regular"
            full = family if style == "Book" or style == "Regular" else f"{family} {style}"
            name.setName(family if rec.nameID == 1 else full,
                         rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 6:
            style = (name.getDebugName(2) or "Regular").replace(" ", "")
            name.setName(f"{ps}-{style}", rec.nameID, rec.platformID, rec.platEncID, rec.langID)
        elif rec.nameID == 3:
            name.setName(f"hoso: {ps} derived from DejaVu", rec.nameID,
                         rec.platformID, rec.platEncID, rec.langID)


def check(font):
    for tag in REQUIRED_TABLES:
        if tag not in font:
            raise SystemExit(f"make_font: table '{tag}' missing from output")
    if not any(t.platformID == 3 and t.platEncID == 1 and t.format == 4
               for t in font["cmap"].tables):
        raise SystemExit("make_font: no (3,1) format 4 cmap subtable; libharu needs one")
    glyf = font["glyf"]
    for name in font.getGlyphOrder():
        if glyf[name].isComposite():
            raise SystemExit(f"make_font: glyph {name} is still composite")
    cmap = font.getBestCmap()
    for cp in (0x1ED3, 0x1EC5, 0x01A1, 0x20AB, 0x2026):  # ồ ễ ơ ₫ …
        if cp not in cmap:
            raise SystemExit(f"make_font: U+{cp:04X} missing from output")


def main(argv):
    args = argv[1:]
    ranges = UNICODE_RANGES
    if args and args[0] == "--label":
        ranges = LABEL_RANGES
        args = args[1:]
    if len(args) not in (2, 3):
        sys.stderr.write(__doc__)
        return 2
    src, dst = args[0], args[1]
    family = args[2] if len(args) == 3 else "Hoso Sans"
    font = TTFont(src)
    subset_font(font, ranges)
    n = decompose_composites(font)
    add_stub_hinting_tables(font)
    fill_cmap_gaps(font)
    set_family(font, family)
    font.save(dst)       # recalculates maxp, head bbox, loca
    out = TTFont(dst)    # re-read what we wrote and check it
    check(out)
    if n == 0 and not any(font["glyf"][g].numberOfContours for g in font.getGlyphOrder()):
        raise SystemExit("make_font: output has no outlines")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

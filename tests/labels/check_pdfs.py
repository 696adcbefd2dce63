#!/usr/bin/python3
"""check_pdfs.py — checks the PDFs test_labels writes, with real tools.

    check_pdfs.py TEST_LABELS_BINARY        (fonts: HOSO_FONT_DIR, else the build's)

For every document: `qpdf --check` passes; `pdftotext` gives back the Vietnamese text exactly;
each page, rasterised at 150 and 200 dpi, yields to `zbarimg` exactly the QR code(s) and
Code 128 barcode(s) expected on it (four of each on an A4 sheet of four labels).

Then the rendering test of Vietnamese marks: labels titled "ồ", "ô", "o" and "Hồ Nguyễn ẩ ế ề",
"Hô Nguyên â ê ê", "Ho Nguyen a e e" are rasterised and the dark pixels above the x-height of
the title are counted: a letter with two marks must show more ink there than the same letter
with only its first mark. As a control, the same pages are rendered with the original,
undecomposed DejaVu Sans (HOSO_FONT_DIR): libharu 2.3.0 drops the nested marks there, and the
check must notice. Stdlib only; prints "N passed, N failed".
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib

passed = failed = 0
DEJAVU = "/usr/share/fonts/truetype/dejavu"


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}", file=sys.stderr)
    return cond


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


def run_test_binary(binary, outdir, env=None, mode=None):
    """Runs test_labels; adds its own CHECK tally to ours. True when it ran to the end (its
    own failures are counted, and the PDFs it wrote are still checked)."""
    global passed, failed
    cmd = [binary, outdir] + ([mode] if mode else [])
    r = run(cmd, env=env)
    sys.stderr.write(r.stderr)
    m = re.search(r"(\d+) passed, (\d+) failed", r.stdout)
    if not m:
        check(False, f"{' '.join(cmd)} printed no tally (exit {r.returncode})")
        return False
    passed += int(m.group(1))
    failed += int(m.group(2))
    check(r.returncode == 0, f"test_labels exit status {r.returncode}")
    return True


def page_count(pdf):
    r = run(["qpdf", "--show-npages", pdf])
    return int(r.stdout.strip()) if r.returncode == 0 else 0


def text_of(pdf):
    r = run(["pdftotext", "-enc", "UTF-8", pdf, "-"])
    return " ".join(r.stdout.split())


def codes_on_pages(pdf, dpi, tmp):
    """{page number: sorted list of "TYPE:data"} as zbarimg reads them at dpi."""
    prefix = os.path.join(tmp, f"{os.path.basename(pdf)}-{dpi}")
    r = run(["pdftoppm", "-r", str(dpi), "-gray", "-png", pdf, prefix])
    if r.returncode != 0:
        return {}
    out = {}
    for name in sorted(os.listdir(tmp)):
        m = re.match(re.escape(os.path.basename(prefix)) + r"-0*(\d+)\.png$", name)
        if not m:
            continue
        path = os.path.join(tmp, name)
        z = run(["zbarimg", "-q", path])
        out[int(m.group(1))] = sorted(z.stdout.split())
        os.unlink(path)
    return out


def check_codes(pdf, expected, tmp):
    """expected: list per page of the "TYPE:data" strings that page must carry."""
    n = page_count(pdf)
    check(n == len(expected), f"{pdf}: {n} pages, expected {len(expected)}")
    for dpi in (150, 200):
        got = codes_on_pages(pdf, dpi, tmp)
        for i, want in enumerate(expected, start=1):
            check(got.get(i) == sorted(want),
                  f"{os.path.basename(pdf)} page {i} at {dpi} dpi: zbarimg read "
                  f"{got.get(i)}, expected {sorted(want)}")


def label_codes(tn, url):
    return [f"CODE-128:{tn}", f"QR-Code:{url}"]


def read_pgm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    while len(fields) < 4:
        m = re.compile(rb"\s*(#[^\n]*\n\s*)*([^\s#]+)").match(data, pos)
        fields.append(m.group(2))
        pos = m.end()
    assert fields[0] == b"P5", "not a binary PGM"
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + w * h]
    return w, h, pixels


MARK_TITLES = ["Hồ Nguyễn ẩ ế ề", "Hô Nguyên â ê ê", "Ho Nguyen a e e", "ồ", "ô", "o"]


def ink_above_title(pdf, tmp, dpi=300):
    """Ink per page (sum of darkness, in fully black pixels) in the band between the top of the label's frame and the title's
    x-height (the title is 13 pt bold, baseline 22 pt below the page top, x-height ~7.1 pt)."""
    prefix = os.path.join(tmp, "marks")
    run(["pdftoppm", "-r", str(dpi), "-gray", pdf, prefix])
    counts = []
    px = dpi / 72.0
    for page in range(1, len(MARK_TITLES) + 1):
        cands = [n for n in os.listdir(tmp) if re.match(rf"marks-0*{page}\.pgm$", n)]
        if not cands:
            counts.append(-1)
            continue
        path = os.path.join(tmp, cands[0])
        w, h, pix = read_pgm(path)
        os.unlink(path)
        y0, y1 = int(6.5 * px), int((22.0 - 7.8) * px)   # above the x-height of "o"
        x0, x1 = int(7.0 * px), int(170.0 * px)      # the title, not the service text
        counts.append(round(sum(255 - pix[y * w + x] for y in range(y0, y1)
                                for x in range(x0, x1)) / 255))
    return counts


def marks_survive(counts, label):
    """True when every second mark shows up as extra ink above the letters."""
    two, one, none, oo2, oo1, oo0 = counts
    print(f"{label}: ink above the x-height (black pixels at 300 dpi): '{MARK_TITLES[0]}' {two}, "
          f"'{MARK_TITLES[1]}' {one}, '{MARK_TITLES[2]}' {none}; 'ồ' {oo2}, 'ô' {oo1}, "
          f"'o' {oo0}")
    return (oo1 - oo0 >= 40 and oo2 - oo1 >= 10 and  # ô has a mark, ồ has one more
            two - one >= 5 * 10)                     # five second marks in the phrase


def png_bytes(w, h, color_type, pixel, interlace=False):
    """A PNG written with zlib and struct. pixel(x, y) gives the sample bytes of a pixel."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    if interlace:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4),
                  (1, 0, 2, 2), (0, 1, 1, 2)]
    else:
        passes = [(0, 0, 1, 1)]
    raw = bytearray()
    for x0, y0, dx, dy in passes:
        xs, ys = range(x0, w, dx), range(y0, h, dy)
        if not xs or not ys:
            continue
        for y in ys:
            raw += b"\0" + b"".join(pixel(x, y) for x in xs)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 1 if interlace else 0)
    data = zlib.compress(bytes(raw), 9)
    idats = b"".join(chunk(b"IDAT", data[i:i + 1000]) for i in range(0, len(data), 1000))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"tEXt", b"Software\0hoso") +
            idats + chunk(b"IEND", b""))


def signature_ink(x, y, w, h):
    """True on a hand-written-looking stroke (a few sine loops) across a w x h image."""
    import math
    cx = x / w
    for k in range(3):
        yy = h / 2 + (h / 3) * math.sin(cx * 9 + k * 2.1) * (0.6 + 0.4 * k / 3)
        if abs(y - yy) < 2.5 + k:
            return True
    return False


def write_signatures(out):
    w, h = 360, 120
    gray = png_bytes(w, h, 0, lambda x, y: b"\x10" if signature_ink(x, y, w, h) else b"\xff")
    rgba = png_bytes(w, h, 6, lambda x, y: (b"\x10\x20\x80\xff" if signature_ink(x, y, w, h)
                                            else b"\xff\xff\xff\x00"))
    inter = png_bytes(w, h, 0, lambda x, y: b"\x10" if signature_ink(x, y, w, h) else b"\xff",
                      interlace=True)
    for name, data in (("sig.png", gray), ("sig_rgba.png", rgba), ("sig_interlaced.png", inter)):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


def ink_in_box(pdf, tmp, box, dpi=100):
    """Dark pixels (< 128) of page 1 inside box = (x0, y0, x1, y1) in points from the top left."""
    prefix = os.path.join(tmp, "ink")
    run(["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", "1", pdf, prefix])
    name = [n for n in os.listdir(tmp) if re.match(r"ink-0*1\.pgm$", n)][0]
    w, h, pix = read_pgm(os.path.join(tmp, name))
    os.unlink(os.path.join(tmp, name))
    px = dpi / 72.0
    x0, y0, x1, y1 = (int(v * px) for v in box)
    return sum(1 for y in range(y0, y1) for x in range(x0, x1) if pix[y * w + x] < 128)


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    binary = os.path.abspath(argv[1])
    with tempfile.TemporaryDirectory(prefix="hoso-labels-") as out, \
            tempfile.TemporaryDirectory(prefix="hoso-labels-png-") as tmp:
        write_signatures(out)
        if not run_test_binary(binary, out):
            print(f"{passed} passed, {failed} failed")
            return 1
        pairs = [line.split() for line in open(os.path.join(out, "tracking.txt"))]
        tns, urls = [p[0] for p in pairs], [p[1] for p in pairs]
        check(tns[0] == "DH123456785VN", "first tracking number is DH123456785VN")

        pdfs = sorted(f for f in os.listdir(out) if f.endswith(".pdf"))
        check(len(pdfs) >= 24, f"{len(pdfs)} PDFs written")
        for f in pdfs:
            r = run(["qpdf", "--check", os.path.join(out, f)])
            check(r.returncode == 0 and "No syntax or stream encoding errors" in r.stdout,
                  f"qpdf --check {f}: exit {r.returncode} {r.stdout[-200:]} {r.stderr[-200:]}")

        label_text = ["HỒ SƠ TTHC", "Nguyễn Thị Hồng Nhung", "Sở Tư pháp tỉnh Hà Nam",
                      "Bộ phận Một cửa – Trung tâm Phục vụ hành chính công",
                      "Số 12 ngõ 34 phố Trần Hưng Đạo, phường Phủ Lý, tỉnh Hà Nam",
                      "1.001776 – Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
                      "NGƯỜI GỬI", "NGƯỜI NHẬN", "THỦ TỤC HÀNH CHÍNH", "Bưu cục chấp nhận:",
                      "401000 – Bưu cục Phủ Lý", "Ngày nhận gửi (J)", "27/11/2026",
                      "Hạn chuyển phát", "01/12/2026", "Chuyển phát hồ sơ và trả kết quả",
                      "Mã hồ sơ: 000.00.06.H56-231027-0361", "DH123456785VN",
                      "ĐT: 0912 345 678"]
        for f in ["a6_1.pdf", "100x150_1.pdf", "a4_1.pdf", "a6_5.pdf", "a4_5.pdf"]:
            text = text_of(os.path.join(out, f))
            for s in label_text:
                check(s in text, f"{f}: pdftotext lacks '{s}'")
        text = text_of(os.path.join(out, "a4_5.pdf"))
        check(all(tn in text for tn in tns), "a4_5.pdf: every tracking number in the text")

        note_text = ["PHIẾU GỬI HỒ SƠ", "Thông tư số 17/2017/TT-BTTTT", "Nguyễn Thị Hồng Nhung",
                     "Sở Tư pháp tỉnh Hà Nam", "Bộ phận Một cửa", "1. NGƯỜI GỬI",
                     "2. NGƯỜI NHẬN", "3. THỦ TỤC HÀNH CHÍNH", "Cấp Phiếu lý lịch tư pháp",
                     "STT", "Tên giấy tờ", "Bản chính/Bản sao", "Số bản", "Bản chính",
                     "Bản sao", "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp",
                     "PHIẾU GỬI HỒ SƠ (tiếp theo)", "40 giấy tờ, 79 bản",
                     "Hình thức dịch vụ:", "Cước phí: 35.000 đ", "Phí, lệ phí: 1.234.567 đ",
                     "Tổng cộng: 1.269.567 đ", "Hình thức thanh toán: Tiền mặt",
                     "Thời gian chấp nhận: 09:45 27/11/2026", "Hạn chuyển phát: 01/12/2026",
                     "Nhân viên bưu chính: Trần Văn Bình", "Điều 14 Quyết định số 45/2016/QĐ-TTg",
                     "6 tháng", "NGƯỜI GỬI", "NHÂN VIÊN BƯU CHÍNH", "(Ký, ghi rõ họ tên)",
                     "035190001234", "nhung.nguyen@example.vn",
                     "000.00.06.H56-231027-0361", "https://hoso.example.vn/t/DH123456785VN"]
        text = text_of(os.path.join(out, "note_40.pdf"))
        for s in note_text:
            check(s in text, f"note_40.pdf: pdftotext lacks '{s}'")
        note_pages = page_count(os.path.join(out, "note_40.pdf"))
        check(note_pages >= 2, f"note_40.pdf runs onto a second page ({note_pages})")
        for i in range(1, note_pages + 1):
            check(f"Trang {i}/{note_pages}" in text, f"note_40.pdf: 'Trang {i}/{note_pages}'")
        check(page_count(os.path.join(out, "note_3.pdf")) == 1, "note_3.pdf has 1 page")
        text = text_of(os.path.join(out, "nasty_a6.pdf"))
        check("Nguyễn Hồ Sơ" in text and "…" in text, "nasty_a6.pdf: long text cut with …")

        # barcodes and QR codes, every page, both resolutions
        one = label_codes(tns[0], urls[0])
        check_codes(os.path.join(out, "a6_1.pdf"), [one], tmp)
        check_codes(os.path.join(out, "100x150_1.pdf"), [one], tmp)
        check_codes(os.path.join(out, "a4_1.pdf"), [one], tmp)
        five = [label_codes(tns[i], urls[i]) for i in range(5)]
        check_codes(os.path.join(out, "a6_5.pdf"), five, tmp)
        check_codes(os.path.join(out, "100x150_5.pdf"), five, tmp)
        check_codes(os.path.join(out, "a4_5.pdf"),
                    [sum(five[:4], []), five[4]], tmp)
        check_codes(os.path.join(out, "note_40.pdf"), [one] * note_pages, tmp)
        check_codes(os.path.join(out, "note_3.pdf"), [one], tmp)
        nasty = [label_codes(tns[i], urls[i]) for i in range(4)]
        check_codes(os.path.join(out, "nasty_a6.pdf"), nasty, tmp)
        check_codes(os.path.join(out, "nasty_a4.pdf"), [sum(nasty, [])], tmp)

        # handover record
        man_text = ["BIÊN BẢN GIAO NHẬN HỒ SƠ", "Bộ phận Một cửa", "Sở Tư pháp tỉnh Hà Nam",
                    "401000 – Bưu cục Phủ Lý", "Số: BB-2026-000123", "Lập lúc: 14:30 27/11/2026",
                    "Nguyễn Thị Hồng", "Trần Văn Bình", "Lê Thị Ánh Tuyết",
                    "Đỗ Văn Hùng", "Vũ Thị Thu Hằng", "Đã nhận", "STT", "Phí, lệ phí",
                    "1.001776 – Cấp Phiếu lý lịch tư", "Tổng số hồ sơ: 3",
                    "Tổng số tờ/giấy tờ: 6", "Tổng phí, lệ phí thu hộ nộp cho cơ quan: 15.000 đ",
                    "Thời điểm tiếp nhận (thời điểm nộp hồ sơ hợp lệ): 15:05 27/11/2026",
                    "BÊN GIAO (Nhân viên bưu chính)", "BÊN NHẬN (Cán bộ Bộ phận Một cửa)",
                    "Quyết định số 45/2016/QĐ-TTg", "Trang 1/1"]
        text = text_of(os.path.join(out, "manifest_3.pdf"))
        for s in man_text:
            check(s in text, f"manifest_3.pdf: pdftotext lacks '{s}'")
        check(page_count(os.path.join(out, "manifest_3.pdf")) == 1, "manifest_3.pdf has 1 page")
        man_qr = ["QR-Code:https://hoso.example.vn/m/BB-2026-000123"]
        check_codes(os.path.join(out, "manifest_3.pdf"), [man_qr], tmp)
        pdf120 = os.path.join(out, "manifest_120.pdf")
        text = text_of(pdf120)
        n120 = page_count(pdf120)
        check(n120 >= 3, f"manifest_120.pdf runs over several pages ({n120})")
        tns120 = open(os.path.join(out, "manifest_tracking.txt")).read().split()
        check(len(tns120) == 120 and len(set(tns120)) == 120, "120 distinct tracking numbers")
        missing = [tn for tn in tns120 if tn not in text]
        check(not missing, f"manifest_120.pdf: tracking numbers missing from the text: "
                           f"{missing[:5]}")
        for s in ["Tổng số hồ sơ: 120", "Tổng số tờ/giấy tờ: 360",
                  "Tổng phí, lệ phí thu hộ nộp cho cơ quan: 600.000 đ",
                  "BIÊN BẢN GIAO NHẬN HỒ SƠ (tiếp theo)", "(bên nhận ghi khi ký)", " 120 "]:
            check(s in text, f"manifest_120.pdf: pdftotext lacks '{s}'")
        check("Vũ Thị Thu Hằng" not in text, "manifest_120.pdf: no officer before confirmation")
        for i in range(1, n120 + 1):
            check(f"Trang {i}/{n120}" in text, f"manifest_120.pdf: 'Trang {i}/{n120}'")
        check_codes(pdf120, [man_qr] * n120, tmp)
        text = text_of(os.path.join(out, "manifest_500.pdf"))
        check("Tổng số hồ sơ: 500" in text, "manifest_500.pdf: 500 items")
        text = text_of(os.path.join(out, "manifest_nasty.pdf"))
        check("…" in text and "9.223.372.036.854.775.807 đ" in text,
              "manifest_nasty.pdf: long text cut with …, the largest amount in full")

        # proof of delivery
        pod_text = ["PHIẾU XÁC NHẬN ĐÃ PHÁT KẾT QUẢ", "PH123456785VN", "Nguyễn Thị Hồng Nhung",
                    "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam", "Sở Tư pháp tỉnh Hà Nam",
                    "Trần Thị Ngọc Ánh", "Người được ủy quyền", "UQ-2026/118",
                    "CCCD: ********1234", "10:20 02/12/2026", "tại địa chỉ người nhận",
                    "Đỗ Văn Hùng", "Bản chính Giấy khai sinh cũ", "200.000 đ",
                    "Mã xác thực: 7K3QX9PD", "NGƯỜI NHẬN KẾT QUẢ", "NHÂN VIÊN BƯU CHÍNH"]
        pod_codes = ["CODE-128:PH123456785VN", "QR-Code:https://hoso.example.vn/t/PH123456785VN"]
        pods = ["pod_nosig.pdf", "pod_tiny.pdf", "pod_sig.pdf", "pod_rgba.pdf"]
        for f in pods:
            path = os.path.join(out, f)
            if not check(os.path.exists(path), f"{f} written"):
                continue
            text = text_of(path)
            for s in pod_text:
                check(s in text, f"{f}: pdftotext lacks '{s}'")
            check("035190001234" not in text, f"{f}: no whole CCCD number")
            check_codes(path, [pod_codes], tmp)
        # the signature shows in the receiver's box (A5: box 34..240 pt across, 437..555 down)
        box = (40, 445, 230, 535)
        blank = ink_in_box(os.path.join(out, "pod_nosig.pdf"), tmp, box)
        for f in ["pod_sig.pdf", "pod_rgba.pdf"]:
            if os.path.exists(os.path.join(out, f)):
                ink = ink_in_box(os.path.join(out, f), tmp, box)
                check(ink > blank + 300, f"{f}: signature ink {ink} against {blank} without")

        # Vietnamese second marks, by rendering
        check(marks_survive(ink_above_title(os.path.join(out, "marks.pdf"), tmp),
                            "font under test"),
              "second Vietnamese marks are drawn with the derived font")
        with tempfile.TemporaryDirectory(prefix="hoso-dejavu-") as fonts, \
                tempfile.TemporaryDirectory(prefix="hoso-dejavu-out-") as out2:
            os.symlink(os.path.join(DEJAVU, "DejaVuSans.ttf"),
                       os.path.join(fonts, "hoso-sans.ttf"))
            os.symlink(os.path.join(DEJAVU, "DejaVuSans.ttf"),
                       os.path.join(fonts, "hoso-label.ttf"))
            os.symlink(os.path.join(DEJAVU, "DejaVuSans-Bold.ttf"),
                       os.path.join(fonts, "hoso-sans-bold.ttf"))
            env = dict(os.environ, HOSO_FONT_DIR=fonts)
            if run_test_binary(binary, out2, env=env, mode="marks"):
                counts = ink_above_title(os.path.join(out2, "marks.pdf"), tmp)
                check(not marks_survive(counts, "control, undecomposed DejaVu"),
                      "control: the check notices the marks libharu drops with DejaVu")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

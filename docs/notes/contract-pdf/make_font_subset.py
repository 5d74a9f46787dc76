#!/usr/bin/env python3
"""Build the repo's CJK font: Noto Serif SC (OFL-1.1) cut down to GB2312 + Latin/punctuation.

pip install fonttools==4.* ; input = NotoSerifSC_400Regular.ttf from the npm package
@expo-google-fonts/noto-serif-sc (static glyf TTF, 14.8 MB, OFL-1.1).
Usage: make_font_subset.py IN.ttf OUT.ttf [gb2312|gbk]
"""
import subprocess, sys, tempfile

def charset(kind):
    chars = set()
    enc = "gb2312" if kind == "gb2312" else "gbk"
    lo = 0xA1 if kind == "gb2312" else 0x81
    lo2 = 0xA1 if kind == "gb2312" else 0x40
    for b1 in range(lo, 0xFF):
        for b2 in range(lo2, 0xFF):
            try:
                chars.add(bytes([b1, b2]).decode(enc))
            except UnicodeDecodeError:
                pass
    ranges = [(0x20, 0x7E), (0xA0, 0xFF),          # ASCII + Latin-1 (¥ § ° ± × ÷ …)
              (0x2010, 0x2030), (0x2460, 0x2473),  # dashes/quotes/…/‰, ①–⑳
              (0x3000, 0x303F),                    # CJK symbols and punctuation
              (0xFF01, 0xFF5E), (0xFFE0, 0xFFE6)]  # full-width forms, ￥
    for a, b in ranges:
        chars.update(chr(c) for c in range(a, b + 1))
    chars.update("√■□●○◆◇★☆→←↑↓※")
    return "".join(sorted(chars))

def main():
    src, out = sys.argv[1], sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) > 3 else "gb2312"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(charset(kind))
    subprocess.run([
        "pyftsubset", src, f"--text-file={f.name}", f"--output-file={out}",
        "--no-hinting", "--layout-features=", "--notdef-outline", "--name-IDs=*",
        # only what a PDF embed + our own measuring needs
        "--drop-tables+=vmtx,vhea,BASE,STAT,GDEF,GPOS,GSUB,gasp,prep,DSIG",
    ], check=True)

if __name__ == "__main__":
    main()

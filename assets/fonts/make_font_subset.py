#!/usr/bin/env python3
"""Cut Noto Serif SC down to the characters Fuhua's PDFs can contain.

Fuhua embeds one CJK font in its generated PDFs (src/pdf/font.rs). The full
Noto Serif SC Regular is 14.8 MB; the per-document subsetting done at render
time walks the whole font, so a smaller source font means faster renders and a
smaller binary. This script keeps:

  * GB2312 (`gb2312`) or all of GBK (`gbk`, the default we ship: it covers name
    characters such as 赟 玥 喆 堃 that GB2312 lacks),
  * ASCII and Latin-1 (¥ § ° × ÷ …; the English contract uses the same font),
  * general punctuation U+2010-2030, circled numbers ①-⑳,
  * CJK symbols and punctuation U+3000-303F, full-width forms, ￥,
  * a few symbols (√ ■ □ ● ○ ◆ ◇ ★ ☆ → ← ↑ ↓ ※).

Hinting, OpenType layout tables and vertical metrics are dropped: Fuhua only
needs outlines, the cmap and horizontal advances.

Input: NotoSerifSC_400Regular.ttf (static glyf TTF, OFL-1.1) from the npm
package @expo-google-fonts/noto-serif-sc 0.4.3:

    cd /tmp && npm pack @expo-google-fonts/noto-serif-sc@0.4.3
    tar xzf expo-google-fonts-noto-serif-sc-0.4.3.tgz
    # -> package/400Regular/NotoSerifSC_400Regular.ttf
    #    (sha256 c358a69de3df5f423a8946a7b03e3126fb6ba116f1130a463455b4e39e1f0742)

Requires fontTools (`pip install fonttools`; made with 4.68.0).

Usage:
    make_font_subset.py IN.ttf OUT.ttf [gbk|gb2312]
"""
import os
import subprocess
import sys
import tempfile

# Ranges outside the GB charsets that contracts use (inclusive).
EXTRA_RANGES = [
    (0x20, 0x7E),  # ASCII
    (0xA0, 0xFF),  # Latin-1 supplement: ¥ § ° ± × ÷
    (0x2010, 0x2030),  # dashes, quotes, …, ‰
    (0x2460, 0x2473),  # ①-⑳
    (0x3000, 0x303F),  # CJK symbols and punctuation (incl. U+3000 ideographic space)
    (0xFF01, 0xFF5E),  # full-width ASCII forms
    (0xFFE0, 0xFFE6),  # full-width ￥ etc.
]
EXTRA_CHARS = "√■□●○◆◇★☆→←↑↓※"


def charset(kind: str) -> str:
    """Every character of the double-byte GB2312 or GBK code space, plus the extras."""
    if kind == "gb2312":
        enc, lead, trail = "gb2312", range(0xA1, 0xFF), range(0xA1, 0xFF)
    elif kind == "gbk":
        enc, lead, trail = "gbk", range(0x81, 0xFF), range(0x40, 0xFF)
    else:
        raise SystemExit(f"unknown charset {kind!r}: use gbk or gb2312")
    chars = set()
    for b1 in lead:
        for b2 in trail:
            try:
                chars.add(bytes([b1, b2]).decode(enc))
            except UnicodeDecodeError:
                pass  # unassigned code point
    for lo, hi in EXTRA_RANGES:
        chars.update(chr(c) for c in range(lo, hi + 1))
    chars.update(EXTRA_CHARS)
    return "".join(sorted(chars))


def main() -> None:
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) == 4 else "gbk"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as f:
        f.write(charset(kind))
    try:
        subprocess.run(
            [
                "pyftsubset",
                src,
                f"--text-file={f.name}",
                f"--output-file={out}",
                "--no-hinting",
                "--layout-features=",
                "--notdef-outline",
                "--name-IDs=*",
                # Not needed to embed the font in a PDF or to measure horizontal text.
                "--drop-tables+=vmtx,vhea,BASE,STAT,GDEF,GPOS,GSUB,gasp,prep,DSIG",
            ],
            check=True,
        )
    finally:
        os.unlink(f.name)


if __name__ == "__main__":
    main()

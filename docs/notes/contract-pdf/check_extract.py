#!/usr/bin/env python3
"""Compare what we drew (expected.txt, one string per drawn line) with pdftotext -raw."""
import re, subprocess, sys
pdf, exp = sys.argv[1], sys.argv[2]
got = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", pdf, "-"], capture_output=True, text=True, check=True).stdout
strip = lambda s: re.sub(r"\s+", "", s)
a, b = strip(open(exp, encoding="utf-8").read()), strip(got)
print(f"expected {len(a)} chars, extracted {len(b)} chars, identical (whitespace-insensitive): {a == b}")
if a != b:
    i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    print("first difference at", i, "\n exp:", a[i-20:i+30], "\n got:", b[i-20:i+30])
    sys.exit(1)
print("OK")

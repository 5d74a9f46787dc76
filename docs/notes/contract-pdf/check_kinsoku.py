#!/usr/bin/env python3
"""No drawn line may start with closing punctuation or end with opening punctuation."""
import sys
NO_START = set("，。、；：？！）」』》〉】〕”’…—·％,.;:?!)]}%")
NO_END = set("（「『《〈【〔“‘([{")
lines = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if l]
bad = [l for l in lines if l[0] in NO_START or l[-1] in NO_END]
print(f"{len(lines)} lines, {len(bad)} kinsoku violations", bad[:5])
sys.exit(1 if bad else 0)

#!/usr/bin/python3
"""Writes the validation side of the PyTorch anchor's speaker split, so Earshot trains on exactly the same split.

Uses split_by_speaker from shared/anchors/pytorch_kws_train_ref.py itself (Python's random.Random shuffle of the
sorted speakers, 15% to validation; _silence_ clips by a SHA-1 rule), applied to the pool's file names only.
Usage: /usr/bin/python3 scripts/anchor_split.py [POOL] [OUT]  (defaults: ../shared/data/speech-commands-real,
scripts/anchor-validation.txt). Output: one pool-relative clip path per line.
"""
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, '..', '..', 'shared', 'anchors'))
from pytorch_kws_train_ref import split_by_speaker  # noqa: E402  (imports torch/torchaudio; Debian's python3)

pool = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, '..', '..', 'shared', 'data', 'speech-commands-real')
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, 'anchor-validation.txt')
items = []
for d in sorted(os.listdir(pool)):
    full = os.path.join(pool, d)
    if not os.path.isdir(full) or d == '_background_noise_':
        continue
    for fn in sorted(os.listdir(full)):
        if fn.endswith('.wav'):
            spk = fn.split('_nohash_')[0] if '_nohash_' in fn else f'sil:{fn}'
            items.append(dict(path=f'{d}/{fn}', speaker=spk))
tr, va = split_by_speaker(items, 0.15, 0)
with open(out, 'w') as f:
    f.write(''.join(it['path'] + '\n' for it in va))
print(f'{len(tr)} training, {len(va)} validation clips ({len({i["speaker"] for i in va})} speakers/silence ids) -> {out}')

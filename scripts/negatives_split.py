#!/usr/bin/python3
"""Splits ../shared/data/negatives by speaker into folders of symbolic links that `train`, `tune-detection` and
`eval-stream` take as --negatives (words, speech) and --background (music, ambience).

Each speaker (the MANIFEST's speaker column) goes wholly to one part by a hash of its id: about 70% train, 15% tune
(fitting detection settings), 15% test (the held-out numbers). Picovoice's "computer" and "jarvis" clips stay out of
train: they are the custom-keyword benchmark's positives (issue 17), so the 10-command model must not learn them.
--no-8khz leaves out of train the files whose origin was 8 kHz (telephone-band audio), to measure what they add.

Usage: /usr/bin/python3 scripts/negatives_split.py [--no-8khz] [SOURCE] OUT
Writes OUT/{train,tune,test}/{words,speech,music,ambience}/*.wav (links) and OUT/SPLIT.tsv (path, part).
"""
import csv
import hashlib
import os
import sys

args = [a for a in sys.argv[1:] if not a.startswith('--')]
no_8k = '--no-8khz' in sys.argv[1:]
here = os.path.dirname(os.path.abspath(__file__))
src = args[0] if len(args) > 1 else os.path.join(here, '..', '..', 'shared', 'data', 'negatives')
if not args:
    sys.exit(__doc__)
out = args[-1]
src = os.path.abspath(src)
manifest = os.path.join(src, 'MANIFEST.tsv')
if not os.path.isfile(manifest):
    sys.exit(f'{manifest}: no such file (want the negatives folder with its MANIFEST.tsv)')


def part(speaker):
    h = int(hashlib.sha1(speaker.encode('utf-8')).hexdigest()[:8], 16) % 100
    return 'train' if h < 70 else 'tune' if h < 85 else 'test'


rows = list(csv.DictReader(open(manifest, encoding='utf-8'), delimiter='\t'))
counts, speakers, lines = {}, {}, []
for r in rows:
    p = part(r['speaker'])
    kw = r['origin'].split('/')[1] if r['source'] == 'picovoice-wwb' else ''
    if p == 'train' and (kw in ('computer', 'jarvis') or (no_8k and r['sample_rate_of_origin'] == '8000')):
        continue
    dest = os.path.join(out, p, r['path'])
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    if os.path.lexists(dest):
        os.remove(dest)
    os.symlink(os.path.join(src, r['path']), dest)
    counts[(p, r['kind'])] = counts.get((p, r['kind']), 0) + 1
    speakers.setdefault(p, set()).add(r['speaker'])
    lines.append(f"{r['path']}\t{p}\n")
with open(os.path.join(out, 'SPLIT.tsv'), 'w', encoding='utf-8') as f:
    f.write('path\tpart\n' + ''.join(lines))
for p in ('train', 'tune', 'test'):
    kinds = ', '.join(f'{k} {counts.get((p, k), 0)}' for k in ('words', 'speech', 'music', 'ambience'))
    print(f'{p}: {len(speakers.get(p, ()))} speakers; {kinds}')

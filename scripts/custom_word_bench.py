#!/usr/bin/python3
"""Prepares the custom-keyword benchmark (issue 17) from Picovoice's open wake-word clips in ../shared/data/negatives.

For KEYWORD (computer or jarvis), the clips of source picovoice-wwb are grouped by the MANIFEST's speaker id
(pv-cNN: clips of one voice and channel, an approximation). The speakers are ranked by their number of clips:
  one   the first speaker's clips (at most 20): what one person enrolls;
  ten   two clips of each of the first ten speakers (20 clips);
  test  every clip of every other speaker: the held-out positives.
Each group's clips of a speaker are joined into one recording with 1 s of silence between them, the shape of a user's
long take, for `earshot enroll KEYWORD --input REC.wav` to cut into one-second clips.
The negative folders for fitting and scoring are the tune and test parts of scripts/negatives_split.py (NEG) without
this keyword's clips (its other keywords stay: they are hard negatives).

Usage: /usr/bin/python3 scripts/custom_word_bench.py KEYWORD NEGATIVES_DIR NEG OUT
The one speaker's other clips (other keywords) are linked into OUT/own-neg, for a variant that trains on that
speaker's own voice saying other things, and left out of OUT/neg.
Writes OUT/rec/{one,ten,test}/<speaker>.wav, OUT/neg/{tune,test}/ and OUT/own-neg/ (links) and OUT/GROUPS.tsv.
"""
import csv
import os
import sys
import wave

if len(sys.argv) != 5:
    sys.exit(__doc__)
keyword, src, neg, out = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), sys.argv[4]
rows = [r for r in csv.DictReader(open(os.path.join(src, 'MANIFEST.tsv'), encoding='utf-8'), delimiter='\t')
        if r['source'] == 'picovoice-wwb' and r['origin'].split('/')[1] == keyword]
if not rows:
    sys.exit(f'no picovoice-wwb clips of {keyword!r} in {src}/MANIFEST.tsv')
by = {}
for r in rows:
    by.setdefault(r['speaker'], []).append(r)
for clips in by.values():
    clips.sort(key=lambda r: (len(r['origin']), r['origin']))  # numbered names in number order
ranked = sorted(by, key=lambda s: (-len(by[s]), s))
groups = {'one': {ranked[0]: by[ranked[0]][:20]},
          'ten': {s: by[s][:2] for s in ranked[:10]},
          'test': {s: by[s] for s in ranked[10:]}}


def join(clips, dest):
    frames = []
    for r in clips:
        with wave.open(os.path.join(src, r['path'])) as w:
            if w.getframerate() != 16000 or w.getnchannels() != 1 or w.getsampwidth() != 2:
                sys.exit(f"{r['path']}: want 16 kHz mono 16-bit")
            frames.append(w.readframes(w.getnframes()))
    gap = b'\0\0' * 16000
    with wave.open(dest, 'wb') as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(gap + gap.join(frames) + gap)


lines = []
for g, speakers in groups.items():
    d = os.path.join(out, 'rec', g)
    os.makedirs(d, exist_ok=True)
    for s, clips in speakers.items():
        join(clips, os.path.join(d, s.replace('-', '') + '.wav'))
        lines += [f"{g}\t{s}\t{r['path']}\n" for r in clips]
    print(f'{g}: {sum(len(c) for c in speakers.values())} clips of {len(speakers)} speakers')
with open(os.path.join(out, 'GROUPS.tsv'), 'w', encoding='utf-8') as f:
    f.write('group\tspeaker\tpath\n' + ''.join(lines))
# The one speaker's other clips (their other keywords) train as that speaker's own negatives in one variant: they
# are left out of the fitting and scoring streams, and linked into OUT/own-neg.
every = list(csv.DictReader(open(os.path.join(src, 'MANIFEST.tsv'), encoding='utf-8'), delimiter='\t'))
own = {os.path.basename(r['path']) for r in every if r['speaker'] == ranked[0]}
d = os.path.join(out, 'own-neg')
os.makedirs(d, exist_ok=True)
for r in every:
    if r['speaker'] == ranked[0] and not (r['source'] == 'picovoice-wwb' and r['origin'].split('/')[1] == keyword):
        link = os.path.join(d, os.path.basename(r['path']))
        if not os.path.lexists(link):
            os.symlink(os.path.join(src, r['path']), link)
print(f'own negatives of {ranked[0]}: {len(os.listdir(d))} files')
for part in ('tune', 'test'):
    n = 0
    for kind in ('words', 'speech'):
        d = os.path.join(neg, part, kind)
        if not os.path.isdir(d):
            continue
        dest = os.path.join(out, 'neg', part, kind)
        os.makedirs(dest, exist_ok=True)
        for name in sorted(os.listdir(d)):
            if name.startswith(f'picovoice_wwb_audio_{keyword}_') or name in own:
                continue
            link = os.path.join(dest, name)
            if not os.path.lexists(link):
                os.symlink(os.path.realpath(os.path.join(d, name)), link)
            n += 1
    print(f'negatives {part}: {n} files')

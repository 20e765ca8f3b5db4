#!/usr/bin/env bash
# Writes the WAV fuzz corpus: audio/src/test/resources/fuzz/wav/corpus/ (see the README.md there).
#
# Every file holds a 400-sample excerpt (25 ms at 16 kHz) of the committed Speech Commands clip
# speech/yes_03401e93_nohash_0.wav: small, so a mutated case is cheap, but real audio in every format.
# sox writes the formats it knows (its own headers are what real files look like); the layouts sox never
# writes (odd and unknown chunks, data before fmt, a missing pad byte, a plain 24-bit header, a short
# container depth, a data size larger than the file) are assembled here around sox's raw samples.
#
# Needs bash and sox (scripts/setup.sh installs it). Deterministic: -R (repeatable) and -D (no dither).
# Run from anywhere:  audio/src/test/scripts/make_wav_fuzz_corpus.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
res="$here/../resources"
src="$res/speech/yes_03401e93_nohash_0.wav"
out="$res/fuzz/wav/corpus"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
rm -f "$out"/*.wav

sx() { sox -R -D "$@"; }

# The excerpt, mono and at 16 kHz like its source; a few more for multi-channel files.
sx "$src" "$tmp/a.wav" trim 0.30 400s
sx "$src" "$tmp/b.wav" trim 0.55 400s
sx "$src" "$tmp/c.wav" trim 0.05 400s

# ---- written by sox
sx "$tmp/a.wav" -b 8 -e unsigned-integer "$out/pcm_u8.wav"
sx "$tmp/a.wav" -b 16 "$out/pcm_s16.wav"
sx "$tmp/a.wav" -b 24 -e signed-integer "$out/pcm_s24_extensible.wav"
sx "$tmp/a.wav" -b 32 -e signed-integer "$out/pcm_s32_extensible.wav"
sx "$tmp/a.wav" -b 32 -e floating-point "$out/float32.wav"
sx "$tmp/a.wav" -b 64 -e floating-point "$out/float64.wav"
sx "$tmp/a.wav" -e u-law "$out/ulaw.wav"
sx "$tmp/a.wav" -e a-law "$out/alaw.wav"
sx -M "$tmp/a.wav" "$tmp/b.wav" "$out/stereo_s16.wav"
sx -M "$tmp/a.wav" "$tmp/b.wav" "$tmp/c.wav" "$out/three_channels_extensible.wav"
sx "$tmp/a.wav" -B "$out/rifx_s16.wav"
sx "$tmp/a.wav" -r 8000 "$out/rate_8000.wav"
sx "$tmp/a.wav" -r 44100 "$out/rate_44100.wav"
sx -M "$tmp/a.wav" "$tmp/b.wav" -e u-law -r 11025 "$out/ulaw_stereo_11025.wav"
sx -M "$tmp/a.wav" "$tmp/b.wav" -b 64 -e floating-point -r 8000 "$out/float64_stereo_8000.wav"

# ---- assembled here: little (RIFF) or big (RIFX) endian numbers, chunks, headers
BIG=0
byte() { printf "\\x$(printf %02x "$1")"; }
u16() { if [ "$BIG" = 1 ]; then byte $((($1 >> 8) & 255)); byte $(($1 & 255));
        else byte $(($1 & 255)); byte $((($1 >> 8) & 255)); fi; }
u32() { if [ "$BIG" = 1 ]; then u16 $((($1 >> 16) & 65535)); u16 $(($1 & 65535));
        else u16 $(($1 & 65535)); u16 $((($1 >> 16) & 65535)); fi; }
# chunk ID BODYFILE [SIZE [nopad]]: a chunk declaring SIZE (default: the body's) bytes, padded to even
# length unless told not to.
chunk() {
  local n; n=$(stat -c %s "$2")
  printf '%s' "$1"; u32 "${3:-$n}"; cat "$2"
  if [ $((n & 1)) = 1 ] && [ "${4:-}" != nopad ]; then printf '\x00'; fi
}
# fmt BODYFILE: a plain 16-byte fmt body for TAG CHANNELS RATE BITS (block align from the container).
fmt() {
  local bytes=$(( ($4 + 7) / 8 * $2 ))
  { u16 "$1"; u16 "$2"; u32 "$3"; u32 $(($3 * bytes)); u16 "$bytes"; u16 "$4"; } > "$5"
}
# riff OUT CHUNKFILE...: RIFF or RIFX header around the chunks.
riff() {
  local o="$1"; shift
  cat "$@" > "$tmp/body"
  { if [ "$BIG" = 1 ]; then printf 'RIFX'; else printf 'RIFF'; fi
    u32 $(( $(stat -c %s "$tmp/body") + 4 )); printf 'WAVE'; cat "$tmp/body"; } > "$o"
}
raw() { sx "$@"; }  # sox to headerless samples: raw IN -t raw ... OUT

raw "$tmp/a.wav" -t raw -b 16 -e signed-integer -L "$tmp/s16.raw"

# Odd and unknown chunks in front of and after the audio: a LIST of odd size (padded), a 3-byte 'junk',
# a 'fact', and a last chunk of odd size with no pad byte at the end of the file.
printf 'INFOISFT\x05\x00\x00\x00sox\x00\x00' > "$tmp/list"   # 17 bytes: odd
printf 'abc' > "$tmp/junk"
printf '\x90\x01\x00\x00' > "$tmp/fact"                       # 400 frames
printf 'tail!' > "$tmp/tail"
fmt 1 1 16000 16 "$tmp/fmt"
{ chunk LIST "$tmp/list"; chunk junk "$tmp/junk"; chunk 'fmt ' "$tmp/fmt"; chunk fact "$tmp/fact"
  chunk data "$tmp/s16.raw"; chunk 'odd ' "$tmp/tail" 5 nopad; } > "$tmp/chunks"
riff "$out/odd_chunks.wav" "$tmp/chunks"

# A writer that forgot the pad byte after an odd-sized chunk: the reader must still find 'fmt ' after it.
# (Not before 'data': its size, 800 = 20 03 00 00, makes "ata " + 0x20 look like a chunk id too, and the
# reader's pad heuristic then takes the pad and misses 'data'; see the README.)
printf 'made by a careless writer' > "$tmp/note"   # 25 bytes
{ chunk note "$tmp/note" 25 nopad; chunk 'fmt ' "$tmp/fmt"; chunk data "$tmp/s16.raw"; } > "$tmp/chunks"
riff "$out/unpadded_odd_chunk.wav" "$tmp/chunks"

# A data chunk declaring twice the bytes the file holds (a cut-off download): read as far as it goes.
{ chunk 'fmt ' "$tmp/fmt"; chunk data "$tmp/s16.raw" 1600; } > "$tmp/chunks"
riff "$out/truncated_data.wav" "$tmp/chunks"

# A header saying 12 valid bits in 16-bit containers (the samples are sox's 16-bit ones: the reader scales
# by the container, so the low bits only add precision).
fmt 1 1 16000 12 "$tmp/fmt12"
{ chunk 'fmt ' "$tmp/fmt12"; chunk data "$tmp/s16.raw"; } > "$tmp/chunks"
riff "$out/pcm_s12_in_16.wav" "$tmp/chunks"

# 24-bit PCM with a plain (not extensible) header, which sox never writes.
raw "$tmp/a.wav" -t raw -b 24 -e signed-integer -L "$tmp/s24.raw"
fmt 1 1 16000 24 "$tmp/fmt24"
{ chunk 'fmt ' "$tmp/fmt24"; chunk data "$tmp/s24.raw"; } > "$tmp/chunks"
riff "$out/pcm_s24_plain.wav" "$tmp/chunks"

# Big-endian (RIFX) 24-bit stereo at 22.05 kHz with the data chunk before fmt and an odd 'JUNK' first.
BIG=1
sx -M "$tmp/a.wav" "$tmp/b.wav" -t raw -b 24 -e signed-integer -B -r 22050 "$tmp/s24be.raw"
fmt 1 2 22050 24 "$tmp/fmt24be"
{ chunk JUNK "$tmp/junk"; chunk data "$tmp/s24be.raw"; chunk 'fmt ' "$tmp/fmt24be"; } > "$tmp/chunks"
riff "$out/rifx_s24_stereo_data_first.wav" "$tmp/chunks"

ls -l "$out"

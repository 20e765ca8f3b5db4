#!/usr/bin/python3
"""Golden fixtures for Earshot's audio module, made with independent references.

Run from anywhere with Debian's interpreter (python3-torch, python3-torchaudio, python3-scipy, sox):
    /usr/bin/python3 audio/src/test/python/make_mfcc_golden.py

Reads the speech clips in audio/src/test/resources/speech/ (copied from Speech Commands, see README.md there)
and writes into audio/src/test/resources/:
  golden/logmel_default_<clip>.f32   the Frontend's log-mel (before the DCT) at the default settings.
  golden/mfcc_<setting>_<clip>.f32   MFCC frames from torchaudio, exactly the accuracy anchor's Frontend
                                     (shared/anchors/pytorch_kws_train_ref.py): MelSpectrogram(center=False,
                                     power=2, HTK mel, norm=None) -> log(mel + 1e-6) -> create_dct(..., 'ortho').
                                     Settings: 'default' (40 ms / 20 ms, n_fft 1024, 40 mels 20-7600 Hz, 10 coefs),
                                     'w30h10c40' (30/10 ms, n_fft 512, 40 mels, 40 coefs) and 'window' (the default
                                     settings but frames where the 640-sample window itself fits: torch framing by
                                     unfold + rfft, for Earshot's FrameLayout.WINDOW).
  formats/*.wav                      one 0.25 s excerpt written by sox in many WAV formats (interoperability).
  golden/decode_<fmt>.f32            torchaudio.load of each, mean over channels (what Earshot's reader returns).
  golden/resample_<fmt>_16000.f32    scipy.signal.resample_poly of the 44.1 kHz / 8 kHz files to 16 kHz.
File format of every .f32: little-endian int32 rows, int32 cols, then rows*cols little-endian float32, row-major.
"""
import os, struct, subprocess, tempfile
import numpy as np
import scipy.signal
import torch
import torchaudio

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.normpath(os.path.join(HERE, '..', 'resources'))
SPEECH = os.path.join(RES, 'speech')
GOLDEN = os.path.join(RES, 'golden')
FORMATS = os.path.join(RES, 'formats')
SR = 16000


def write_f32(path, arr):
    arr = np.asarray(arr, dtype='<f4')
    if arr.ndim == 1:
        arr = arr.reshape(1, -1)
    with open(path, 'wb') as f:
        f.write(struct.pack('<ii', arr.shape[0], arr.shape[1]))
        f.write(arr.tobytes())


def load(path):
    w, sr = torchaudio.load(path)  # normalize=True: integer PCM / 2^(bits-1), as Earshot scales
    return w, sr


# The anchor's Frontend, verbatim in substance.
def frontend_mfcc(w, win_ms, hop_ms, n_mels, n_mfcc, log_mel=False):
    win = int(SR * win_ms / 1000)
    hop = int(SR * hop_ms / 1000)
    n_fft = 1 << (win - 1).bit_length()
    mel = torchaudio.transforms.MelSpectrogram(sample_rate=SR, n_fft=n_fft, win_length=win, hop_length=hop,
                                               f_min=20.0, f_max=7600.0, n_mels=n_mels, center=False, power=2.0)
    dct = torchaudio.functional.create_dct(n_mfcc, n_mels, 'ortho')
    lm = torch.log(mel(w.unsqueeze(0)) + 1e-6).transpose(1, 2)  # (1, T, n_mels)
    return lm[0] if log_mel else (lm @ dct)[0]


def window_layout_mfcc(w, win=640, hop=320, n_fft=1024, n_mels=40, n_mfcc=10):
    frames = w.unfold(0, win, hop) * torch.hann_window(win, periodic=True)
    power = torch.fft.rfft(frames, n=n_fft).abs() ** 2
    fb = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, 20.0, 7600.0, n_mels, SR, None, 'htk')
    dct = torchaudio.functional.create_dct(n_mfcc, n_mels, 'ortho')
    return torch.log(power @ fb + 1e-6) @ dct


def sox(*args):
    # -R: repeatable (fixed seeds), -D: no dither, so re-running the script reproduces the same files.
    subprocess.run(['sox', '-R', '-D', *args], check=True)


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    os.makedirs(FORMATS, exist_ok=True)
    clips = sorted(f for f in os.listdir(SPEECH) if f.endswith('.wav'))
    for c in clips:
        w, sr = load(os.path.join(SPEECH, c))
        assert sr == SR, (c, sr)
        w = w[0]
        stem = c[:-4]
        write_f32(os.path.join(GOLDEN, f'mfcc_default_{stem}.f32'), frontend_mfcc(w, 40, 20, 40, 10))
        write_f32(os.path.join(GOLDEN, f'logmel_default_{stem}.f32'), frontend_mfcc(w, 40, 20, 40, 10, log_mel=True))
        write_f32(os.path.join(GOLDEN, f'mfcc_w30h10c40_{stem}.f32'), frontend_mfcc(w, 30, 10, 40, 40))
        write_f32(os.path.join(GOLDEN, f'mfcc_window_{stem}.f32'), window_layout_mfcc(w))

    src = os.path.join(SPEECH, 'yes_03401e93_nohash_0.wav')
    with tempfile.TemporaryDirectory() as tmp:
        a = os.path.join(tmp, 'a.wav'); b = os.path.join(tmp, 'b.wav'); c = os.path.join(tmp, 'c.wav')
        sox(src, a, 'trim', '0.30', '0.25')
        sox(src, b, 'trim', '0.55', '0.25')
        sox(src, c, 'trim', '0.05', '0.25')
        out = lambda n: os.path.join(FORMATS, n)
        sox(a, '-b', '8', '-e', 'unsigned-integer', out('pcm_u8.wav'))
        sox(a, '-b', '16', out('pcm_s16.wav'))
        sox(a, '-b', '24', '-e', 'signed-integer', out('pcm_s24_extensible.wav'))
        sox(a, '-b', '32', '-e', 'signed-integer', out('pcm_s32_extensible.wav'))
        sox(a, '-b', '32', '-e', 'floating-point', out('float32.wav'))
        sox(a, '-b', '64', '-e', 'floating-point', out('float64.wav'))
        sox(a, '-e', 'u-law', out('ulaw.wav'))
        sox(a, '-e', 'a-law', out('alaw.wav'))
        sox('-M', a, b, out('stereo_s16.wav'))
        sox('-M', a, b, c, out('three_channels_extensible.wav'))
        sox(a, '-B', out('rifx_s16.wav'))
        sox(a, '-r', '44100', out('rate_44100.wav'))
        sox(a, '-r', '8000', out('rate_8000.wav'))
    for f in sorted(os.listdir(FORMATS)):
        w, sr = load(os.path.join(FORMATS, f))
        write_f32(os.path.join(GOLDEN, f'decode_{f[:-4]}.f32'), w.double().mean(0).float())
        if sr != SR:
            x = w.double().mean(0).numpy()
            g = np.gcd(SR, sr)
            y = scipy.signal.resample_poly(x, SR // g, sr // g)
            write_f32(os.path.join(GOLDEN, f'resample_{f[:-4]}_16000.f32'), y)
    print('wrote', len(os.listdir(GOLDEN)), 'golden files and', len(os.listdir(FORMATS)), 'format files')


if __name__ == '__main__':
    main()

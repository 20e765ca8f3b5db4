#!/usr/bin/python3
"""torchaudio on Earshot's exact default front end, as a second MFCC speed anchor beside
../shared/anchors/torchaudio_mfcc_bench.py (which uses torchaudio's own defaults: n_fft = window = 640,
centred frames, 51 frames per second). This one is the accuracy anchor's Frontend
(pytorch_kws_train_ref.py): n_fft 1024, 640-sample Hann window, hop 320, center=False (47 frames),
40 HTK mel bands over 20-7600 Hz, log(mel + 1e-6), orthonormal DCT to 10 coefficients. Same synthetic
clip and timing method as the anchor script; one thread.
Prints {"ms_per_clip", "realtime_factor", "frames"} (median of 500 runs)."""
import json, math, statistics, time
import torch, torchaudio

torch.set_num_threads(1)
sr = 16000
g = torch.Generator().manual_seed(0)
t = torch.arange(sr) / sr
wav = (0.1 * torch.sin(2 * math.pi * 440 * t) + 0.01 * torch.randn(sr, generator=g)).unsqueeze(0)
mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=1024, win_length=640, hop_length=320,
                                           f_min=20.0, f_max=7600.0, n_mels=40, center=False)
dct = torchaudio.functional.create_dct(10, 40, 'ortho')


def mfcc(w):
    return torch.matmul(torch.log(mel(w) + 1e-6).transpose(-1, -2), dct)


with torch.no_grad():
    for _ in range(50):
        mfcc(wav)
    ts = []
    for _ in range(500):
        t0 = time.perf_counter()
        mfcc(wav)
        ts.append(time.perf_counter() - t0)
    med = statistics.median(ts)
    print(json.dumps({'ms_per_clip': round(med * 1e3, 4), 'realtime_factor': round(1.0 / med, 1),
                      'frames': mfcc(wav).shape[-2], 'anchor': 'torchaudio, Earshot exact settings'}))

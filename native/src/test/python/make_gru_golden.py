#!/usr/bin/python3
"""Golden vectors for Earshot's GRU core from the seed's own PyTorch formulation (shared/seed/gru-article.zh.md).

The cell below is the seed's class, verbatim in its maths: z and r from Linear layers over cat(h, x), the
candidate from a Linear over cat(r*h, x), h = (1-z)*h + z*h_tilde. Layers are stacked, a Linear head reads
the last hidden state, and the loss is the mean cross-entropy. Everything runs in float64; autograd gives
the gradients of every parameter, of the input and of the initial states.

Parameters are written in Earshot's layout (native/src/main/cpp/earshot/gru.h): per layer Wx[3H, In]
(rows z | r | candidate), Wh[3H, H], b[3H]; then Wo[C, H], bo[C]. A Linear over cat(h, x) has weight
[H, H+In] = [Wh_g | Wx_g].

Run: /usr/bin/python3 native/src/test/python/make_gru_golden.py  (Debian python3-torch)
Output: native/src/test/resources/golden/gru_<name>.txt, lines of "key n v1 v2 ... vn".
"""
import os
import torch
import torch.nn as nn

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), '..', 'resources', 'golden')


class GRU(nn.Module):  # the seed's cell
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.sigmoid = nn.Sigmoid()
        self.tanh = nn.Tanh()
        self.wz = nn.Linear(input_size + hidden_size, hidden_size)
        self.wr = nn.Linear(input_size + hidden_size, hidden_size)
        self.w = nn.Linear(input_size + hidden_size, hidden_size)

    def forward(self, x, h):
        combined = torch.cat((h, x), 1)
        z = self.sigmoid(self.wz(combined))
        r = self.sigmoid(self.wr(combined))
        combined_r = torch.cat((r * h, x), 1)
        h_tilde = self.tanh(self.w(combined_r))
        h = (1 - z) * h + z * h_tilde
        return h


def earshot_layout(cells, head):
    parts = []
    for cell in cells:
        H = cell.hidden_size
        ws = [cell.wz.weight, cell.wr.weight, cell.w.weight]
        parts += [torch.cat([w[:, H:] for w in ws], 0).reshape(-1)]          # Wx[3H, In]
        parts += [torch.cat([w[:, :H] for w in ws], 0).reshape(-1)]          # Wh[3H, H]
        parts += [torch.cat([cell.wz.bias, cell.wr.bias, cell.w.bias], 0)]   # b[3H]
    parts += [head.weight.reshape(-1), head.bias]
    return torch.cat(parts)


def case(name, I, H, L, C, B, T, seed):
    g = torch.Generator().manual_seed(seed)
    cells = [GRU(I if l == 0 else H, H) for l in range(L)]
    head = nn.Linear(H, C)
    with torch.no_grad():
        for p in [p for c in cells for p in c.parameters()] + list(head.parameters()):
            p.copy_((torch.rand(p.shape, generator=g) * 2 - 1) * 0.7)
    x = ((torch.rand(B, T, I, generator=g) * 2 - 1) * 1.5).requires_grad_()
    h0 = ((torch.rand(L, B, H, generator=g) * 2 - 1) * 0.5).requires_grad_()
    labels = torch.randint(0, C, (B,), generator=g)
    # Round the inputs to float32 first, so the float core sees exactly the same numbers
    # (and %.10g in the file keeps them exact: 9 significant digits round-trip a float).
    with torch.no_grad():
        for p in [p for c in cells for p in c.parameters()] + list(head.parameters()) + [x, h0]:
            p.copy_(p.float().double())
    seq = x
    finals = []
    for l, cell in enumerate(cells):
        h = h0[l]
        outs = []
        for t in range(T):
            h = cell(seq[:, t, :], h)
            outs.append(h)
        seq = torch.stack(outs, 1)
        finals.append(h)
    logits = head(seq[:, -1, :])
    loss = nn.functional.cross_entropy(logits, labels)
    loss.backward()
    params = earshot_layout(cells, head)
    # Gradients in the same layout: the layout of .grad tensors mirrors the parameters'.
    for c in cells:
        for lin in (c.wz, c.wr, c.w):
            lin.weight.data, lin.bias.data = lin.weight.grad, lin.bias.grad
    head.weight.data, head.bias.data = head.weight.grad, head.bias.grad
    grads = earshot_layout(cells, head)
    rows = [('dims', [I, H, L, C, B, T]), ('params', params), ('x', x.detach().reshape(-1)),
            ('h0', h0.detach().reshape(-1)), ('labels', labels), ('states', seq.detach().reshape(-1)),
            ('logits', logits.detach().reshape(-1)), ('loss', [loss.item()]), ('grads', grads),
            ('dx', x.grad.reshape(-1)), ('dh0', h0.grad.reshape(-1))]
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, f'gru_{name}.txt'), 'w') as f:
        f.write(f'# made by native/src/test/python/make_gru_golden.py (torch {torch.__version__}); do not edit\n')
        for key, vals in rows:
            vals = [float(v) for v in (vals.tolist() if torch.is_tensor(vals) else vals)]
            f.write(key + ' ' + str(len(vals)) + ' ' + ' '.join('%.10g' % v for v in vals) + '\n')
    print(name, 'loss', loss.item())


case('small', I=3, H=4, L=1, C=3, B=2, T=5, seed=1)
case('stacked', I=6, H=8, L=3, C=5, B=3, T=11, seed=2)
case('kws', I=10, H=24, L=2, C=12, B=3, T=49, seed=3)

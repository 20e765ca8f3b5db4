package dev.earshot.gru;

/**
 * A plain double-precision implementation of the cell in DEVELOPERS.md, written from the equations
 * with explicit loops over [h, x] concatenations — no shared code with the C++ core. Parameters use the
 * layout documented on {@link GruModel#parameters()}.
 */
final class ReferenceGru {
    final GruConfig c;

    ReferenceGru(GruConfig c) {
        this.c = c;
    }

    static double sigmoid(double v) {
        return 1.0 / (1.0 + Math.exp(-v));
    }

    /** All hidden states: result[l][t][b][j] = h_{t+1} of layer l (t = 0..T-1). */
    double[][][][] hiddenStates(double[] p, double[] x, double[] h0, int B, int T) {
        int H = c.hidden();
        double[][][][] out = new double[c.layers()][T][B][H];
        int off = 0;
        for (int l = 0; l < c.layers(); l++) {
            int in = l == 0 ? c.input() : H;
            int wx = off, wh = wx + 3 * H * in, bias = wh + 3 * H * H;
            off = bias + 3 * H;
            for (int b = 0; b < B; b++) {
                double[] h = new double[H];
                for (int j = 0; j < H; j++) h[j] = h0 == null ? 0 : h0[(l * B + b) * H + j];
                for (int t = 0; t < T; t++) {
                    double[] xt = new double[in];
                    for (int k = 0; k < in; k++) {
                        xt[k] = l == 0 ? x[(b * T + t) * in + k] : out[l - 1][t][b][k];
                    }
                    // W_g·[h, x] + b_g, with W_g = [Wh_g | Wx_g]
                    double[] z = new double[H], r = new double[H], cand = new double[H];
                    for (int j = 0; j < H; j++) {
                        double sz = p[bias + j], sr = p[bias + H + j];
                        for (int k = 0; k < H; k++) {
                            sz += p[wh + j * H + k] * h[k];
                            sr += p[wh + (H + j) * H + k] * h[k];
                        }
                        for (int k = 0; k < in; k++) {
                            sz += p[wx + j * in + k] * xt[k];
                            sr += p[wx + (H + j) * in + k] * xt[k];
                        }
                        z[j] = sigmoid(sz);
                        r[j] = sigmoid(sr);
                    }
                    for (int j = 0; j < H; j++) {
                        double s = p[bias + 2 * H + j];
                        for (int k = 0; k < H; k++) s += p[wh + (2 * H + j) * H + k] * (r[k] * h[k]);
                        for (int k = 0; k < in; k++) s += p[wx + (2 * H + j) * in + k] * xt[k];
                        cand[j] = Math.tanh(s);
                    }
                    double[] hn = new double[H];
                    for (int j = 0; j < H; j++) hn[j] = (1 - z[j]) * h[j] + z[j] * cand[j];
                    h = hn;
                    out[l][t][b] = hn.clone();
                }
            }
        }
        return out;
    }

    int headOffset() {
        int off = 0;
        for (int l = 0; l < c.layers(); l++) {
            int in = l == 0 ? c.input() : c.hidden();
            off += 3 * c.hidden() * (in + c.hidden()) + 3 * c.hidden();
        }
        return off;
    }

    double[][] logits(double[] p, double[] x, double[] h0, int B, int T) {
        double[][][][] hs = hiddenStates(p, x, h0, B, T);
        int H = c.hidden(), C = c.classes(), wo = headOffset(), bo = wo + C * H;
        double[][] out = new double[B][C];
        for (int b = 0; b < B; b++) {
            double[] top = hs[c.layers() - 1][T - 1][b];
            for (int k = 0; k < C; k++) {
                double s = p[bo + k];
                for (int j = 0; j < H; j++) s += p[wo + k * H + j] * top[j];
                out[b][k] = s;
            }
        }
        return out;
    }

    /** Mean softmax cross-entropy over the batch. */
    double loss(double[] p, double[] x, double[] h0, int[] labels, int B, int T) {
        return loss(p, x, h0, labels, B, T, 0);
    }

    /** Mean cross-entropy against (1 − eps)·onehot + eps/C. */
    double loss(double[] p, double[] x, double[] h0, int[] labels, int B, int T, double eps) {
        double[][] z = logits(p, x, h0, B, T);
        double sum = 0;
        for (int b = 0; b < B; b++) {
            double mx = Double.NEGATIVE_INFINITY;
            for (double v : z[b]) mx = Math.max(mx, v);
            double s = 0;
            for (double v : z[b]) s += Math.exp(v - mx);
            double logsum = Math.log(s) + mx;
            int C = z[b].length;
            for (int k = 0; k < C; k++) sum += ((k == labels[b] ? 1 - eps : 0) + eps / C) * (logsum - z[b][k]);
        }
        return sum / B;
    }

    static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }
}

package dev.earshot.training;

import dev.earshot.api.AtomicFile;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything needed to continue a run after the last finished epoch: the weights, Adam's moments and
 * step, the best weights so far, the weights' running average, the normalization, the learning curves and the
 * hard negatives mined last. Written atomically after
 * every epoch and checksummed (SHA-256), so a kill at any moment leaves the previous complete checkpoint.
 */
record Checkpoint(Map<String, String> settings, int epochsDone, float[] params, float[] adamM, float[] adamV,
                  long adamStep, float[] bestParams, double bestAccuracy, int bestEpoch, float[] normMean,
                  float[] normStd, List<History.Epoch> history, float[] ema, List<HardNegativeMiner.Window> hard) {
    private static final int MAGIC = 0x45534b31;  // "ESK1"

    void save(Path file) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        out.writeInt(settings.size());
        for (Map.Entry<String, String> e : settings.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
        out.writeInt(epochsDone);
        writeFloats(out, params);
        writeFloats(out, adamM);
        writeFloats(out, adamV);
        out.writeLong(adamStep);
        writeFloats(out, bestParams);
        out.writeDouble(bestAccuracy);
        out.writeInt(bestEpoch);
        writeFloats(out, normMean);
        writeFloats(out, normStd);
        out.writeInt(history.size());
        for (History.Epoch e : history) {
            out.writeInt(e.epoch());
            out.writeDouble(e.trainLoss());
            out.writeDouble(e.trainAccuracy());
            out.writeDouble(e.validationAccuracy());
            out.writeDouble(e.learningRate());
            out.writeDouble(e.seconds());
            out.writeDouble(e.clipsPerSecond());
        }
        writeFloats(out, ema);
        out.writeInt(hard.size());
        for (HardNegativeMiner.Window w : hard) {
            out.writeInt(w.recording());
            out.writeInt(w.start());
            out.writeFloat(w.score());
        }
        out.flush();
        byte[] body = bytes.toByteArray();
        byte[] digest = sha256(body);
        AtomicFile.write(file, o -> {
            o.write(body);
            o.write(digest);
        });
    }

    static Checkpoint load(Path file) throws IOException {
        byte[] all;
        try (InputStream in = Files.newInputStream(file)) {
            all = in.readNBytes(1 << 30);
        }
        if (all.length < 36) throw new IOException(file + ": checkpoint truncated (" + all.length + " bytes)");
        byte[] body = Arrays.copyOf(all, all.length - 32);
        if (!MessageDigest.isEqual(sha256(body), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            throw new IOException(file + ": checkpoint damaged or truncated (checksum mismatch)");
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            if (in.readInt() != MAGIC) throw new IOException(file + ": not an Earshot checkpoint");
            int n = in.readInt();
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) settings.put(in.readUTF(), in.readUTF());
            int epochs = in.readInt();
            float[] p = readFloats(in), m = readFloats(in), v = readFloats(in);
            long step = in.readLong();
            float[] best = readFloats(in);
            double bestAcc = in.readDouble();
            int bestEpoch = in.readInt();
            float[] mean = readFloats(in), std = readFloats(in);
            int h = in.readInt();
            List<History.Epoch> history = new ArrayList<>();
            for (int i = 0; i < h; i++) {
                history.add(new History.Epoch(in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(),
                        in.readDouble(), in.readDouble(), in.readDouble()));
            }
            float[] ema = readFloats(in);
            int nh = in.available() == 0 ? 0 : in.readInt();  // checkpoints before hard-negative mining end here
            if (nh < 0 || nh > in.available() / 12) throw new IOException(file + ": hard-negative count " + nh + " out of range");
            List<HardNegativeMiner.Window> hard = new ArrayList<>();
            for (int i = 0; i < nh; i++) hard.add(new HardNegativeMiner.Window(in.readInt(), in.readInt(), in.readFloat()));
            return new Checkpoint(settings, epochs, p, m, v, step, best, bestAcc, bestEpoch, mean, std, history, ema, hard);
        } catch (EOFException e) {
            throw new IOException(file + ": checkpoint truncated", e);
        }
    }

    private static void writeFloats(DataOutputStream out, float[] a) throws IOException {
        out.writeInt(a.length);
        for (float f : a) out.writeFloat(f);
    }

    private static float[] readFloats(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available() / 4) throw new IOException("checkpoint array length " + n + " out of range");
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = in.readFloat();
        return a;
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package dev.earshot.api;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.gru.GruConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code .earshot} model file: one self-describing file with everything needed to run a model.
 *
 * <pre>
 * magic        12 bytes  0x89 'E' 'A' 'R' 'S' 'H' 'O' 'T' '\r' '\n' 0x1A '\n'  (PNG-style: catches text-mode
 *                        mangling and tells a model from anything else)
 * version      int       1
 * labels       int n, then n × modified-UTF-8 string (DataOutput.writeUTF); n = classes
 * features     FeatureSettings.writeTo (sample rate, window, hop, mel bands, range, coefficients,
 *                        log floor, frame layout, normalization)
 * architecture int input, hidden, layers, classes
 * clipSamples  int       the clip length the model was trained on (16000 for 1 s at 16 kHz)
 * provenance   int n, then n × (string key, string value), strings as int byte length + UTF-8
 *                        (data, seed, settings, metrics, creation time, …)
 * weights      int count, byte encoding, then the weights (GruModel.parameters() layout):
 *                        0 = count × float32; 1 = count × IEEE float16; 2 = blocks of 64 weights (the last may be
 *                        shorter), each a float32 scale then one signed byte per weight (w = byte · scale)
 * checksum     32 bytes  SHA-256 of every byte before it
 * </pre>
 * All numbers are big-endian, as DataOutput writes them. A reader checks the magic, the version and the
 * checksum before it parses anything, so a truncated, damaged or foreign file is refused with a clear
 * error and never yields predictions.
 */
public final class ModelFile {
    static final byte[] MAGIC = {(byte) 0x89, 'E', 'A', 'R', 'S', 'H', 'O', 'T', '\r', '\n', 0x1A, '\n'};
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;
    /** Far above any real model (a few MB at most); stops a huge file from being read whole. */
    public static final long MAX_BYTES = 256L << 20;
    private static final int DIGEST_BYTES = 32;
    private static final int MAX_STRING_BYTES = 1 << 20;

    /**
     * How the weights are stored: float16 halves the file, INT8 (blocks of 64 weights sharing a scale, max |w| → 127)
     * makes it about a quarter. The GRU computes in float32 on the weights as stored; a model from an INT8 file also
     * keeps its weight matrices as int8 for streaming ({@link KeywordModel#streamWeights()}), which steps about twice
     * as fast and gives the same numbers up to float rounding.
     */
    public enum Precision { FLOAT32, FLOAT16, INT8 }

    static final int INT8_BLOCK = 64;

    /**
     * Everything a model file holds. {@code storedAs} is how a decoded file stored its weights ({@link Precision#FLOAT32}
     * for contents made in memory); {@link #encode(Contents, Precision)} takes the precision to write separately.
     */
    public record Contents(List<String> labels, FeatureSettings features, GruConfig architecture, int clipSamples,
                           Map<String, String> provenance, float[] weights, Precision storedAs) {
        /** Checks that {@code storedAs} is given. */
        public Contents {
            if (storedAs == null) throw new NullPointerException("storedAs");
        }

        /** Contents made in memory, float32. */
        public Contents(List<String> labels, FeatureSettings features, GruConfig architecture, int clipSamples,
                        Map<String, String> provenance, float[] weights) {
            this(labels, features, architecture, clipSamples, provenance, weights, Precision.FLOAT32);
        }
    }

    private ModelFile() {}

    /** The file's bytes, with the weights as float32. */
    public static byte[] encode(Contents c) throws IOException {
        return encode(c, Precision.FLOAT32);
    }

    /**
     * The file's bytes. With {@link Precision#FLOAT16} every weight is rounded to the nearest half (round to nearest
     * even); weights beyond the half range (±65504) are refused.
     */
    public static byte[] encode(Contents c, Precision precision) throws IOException {
        validate(c, "model");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + c.weights().length * 4);
        DataOutputStream out = new DataOutputStream(bytes);
        writeHeader(out, c);
        writeProvenance(out, c.provenance());
        out.writeInt(c.weights().length);
        out.writeByte(precision.ordinal());
        float[] ws = c.weights();
        if (precision == Precision.INT8) {
            for (int start = 0; start < ws.length; start += INT8_BLOCK) {
                int end = Math.min(ws.length, start + INT8_BLOCK);
                float max = 0;
                for (int i = start; i < end; i++) max = Math.max(max, Math.abs(ws[i]));
                float scale = max / 127f;
                out.writeFloat(scale);
                for (int i = start; i < end; i++) out.writeByte(scale == 0 ? 0 : Math.round(ws[i] / scale));
            }
        } else {
            for (float w : ws) {
                if (precision == Precision.FLOAT32) {
                    out.writeFloat(w);
                } else {
                    if (Math.abs(w) > 65504f) throw new ModelFormatException("model", "weight " + w + " does not fit a float16");
                    out.writeShort(toHalf(w));
                }
            }
        }
        return sealed(bytes);
    }

    /**
     * The model file {@code data} with its provenance replaced and everything else, the weights' bytes included,
     * kept as they are; then sealed with a new checksum. For adding what was learned about a model after training
     * (detection settings tuned for it) without re-encoding its weights.
     */
    public static byte[] withProvenance(byte[] data, Map<String, String> provenance, String source) throws IOException {
        Contents old = decode(data, source);
        Contents updated = new Contents(old.labels(), old.features(), old.architecture(), old.clipSamples(),
                new LinkedHashMap<>(provenance), old.weights(), old.storedAs());
        validate(updated, source);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        writeHeader(new DataOutputStream(head), old);
        ByteArrayOutputStream oldProvenance = new ByteArrayOutputStream();
        writeProvenance(new DataOutputStream(oldProvenance), old.provenance());
        int weightsAt = head.size() + oldProvenance.size();
        byte[] expected = head.toByteArray();
        if (!Arrays.equals(Arrays.copyOf(data, expected.length), expected)) {
            throw new ModelFormatException(source, "its header does not re-encode to the same bytes");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(data.length + 256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(expected);
        writeProvenance(out, updated.provenance());
        out.write(data, weightsAt, data.length - DIGEST_BYTES - weightsAt);
        return sealed(bytes);
    }

    /** Magic, version, labels, feature settings, architecture and clip length. */
    private static void writeHeader(DataOutputStream out, Contents c) throws IOException {
        out.write(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(c.labels().size());
        for (String l : c.labels()) out.writeUTF(l);
        c.features().writeTo(out);
        GruConfig a = c.architecture();
        out.writeInt(a.input());
        out.writeInt(a.hidden());
        out.writeInt(a.layers());
        out.writeInt(a.classes());
        out.writeInt(c.clipSamples());
        out.flush();
    }

    private static void writeProvenance(DataOutputStream out, Map<String, String> provenance) throws IOException {
        out.writeInt(provenance.size());
        for (Map.Entry<String, String> e : provenance.entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
        out.flush();
    }

    /** The bytes written so far, followed by their SHA-256. */
    private static byte[] sealed(ByteArrayOutputStream bytes) throws IOException {
        byte[] body = bytes.toByteArray();
        bytes.write(sha256(body, body.length));
        return bytes.toByteArray();
    }

    /** Reads at most {@link #MAX_BYTES} from {@code in}; {@code source} names it in errors. */
    public static Contents read(InputStream in, String source) throws IOException {
        byte[] data = in.readNBytes((int) MAX_BYTES + 1);
        if (data.length > MAX_BYTES) throw new ModelFormatException(source, "larger than " + MAX_BYTES + " bytes: not a model file");
        return decode(data, source);
    }

    /**
     * Parses and checks a whole model file (magic, version, digest, every size and value); {@code source} names it in
     * errors.
     */
    public static Contents decode(byte[] data, String source) throws ModelFormatException {
        if (data.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(data, MAGIC.length), MAGIC)) {
            if (data.length >= 8 && Arrays.equals(Arrays.copyOf(data, 8), Arrays.copyOf(MAGIC, 8))) {
                throw new ModelFormatException(source, "the file's header was altered in transfer (line endings?)");
            }
            throw new ModelFormatException(source, data.length == 0 ? "empty file, not an Earshot model"
                    : "not an Earshot model file (no .earshot header)");
        }
        if (data.length < MAGIC.length + 4 + DIGEST_BYTES) {
            throw new ModelFormatException(source, "truncated (" + data.length + " bytes)");
        }
        int version = ((data[12] & 0xff) << 24) | ((data[13] & 0xff) << 16) | ((data[14] & 0xff) << 8) | (data[15] & 0xff);
        if (version != VERSION) {
            throw new ModelFormatException(source, "model format version " + version
                    + " is not supported (this Earshot reads version " + VERSION + ")");
        }
        int body = data.length - DIGEST_BYTES;
        if (!MessageDigest.isEqual(sha256(data, body), Arrays.copyOfRange(data, body, data.length))) {
            throw new ModelFormatException(source, "damaged or truncated: checksum mismatch");
        }
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data, MAGIC.length + 4, body - MAGIC.length - 4));
        try {
            int n = in.readInt();
            if (n < 2 || n > 1 << 16) throw new ModelFormatException(source, "label count " + n + " out of range");
            List<String> labels = new ArrayList<>(n);
            for (int i = 0; i < n; i++) labels.add(in.readUTF());
            FeatureSettings features;
            try {
                features = FeatureSettings.readFrom(in);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(source, "bad feature settings: " + e.getMessage());
            }
            GruConfig arch;
            try {
                arch = new GruConfig(in.readInt(), in.readInt(), in.readInt(), in.readInt());
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(source, "bad architecture: " + e.getMessage());
            }
            int clipSamples = in.readInt();
            int np = in.readInt();
            if (np < 0 || np > 1 << 16) throw new ModelFormatException(source, "provenance count " + np + " out of range");
            Map<String, String> provenance = new LinkedHashMap<>();
            for (int i = 0; i < np; i++) provenance.put(readString(in, source), readString(in, source));
            int count = in.readInt();
            if (count != arch.parameterCount()) {
                throw new ModelFormatException(source, count + " weights, but the architecture needs " + arch.parameterCount());
            }
            int encoding = in.readUnsignedByte();
            if (encoding > 2) throw new ModelFormatException(source, "unknown weight encoding " + encoding);
            float[] weights = new float[count];
            if (encoding == 2) {
                for (int start = 0; start < count; start += INT8_BLOCK) {
                    float scale = in.readFloat();
                    if (!(scale >= 0) || Float.isInfinite(scale)) throw new ModelFormatException(source, "bad weight scale " + scale);
                    for (int i = start; i < Math.min(count, start + INT8_BLOCK); i++) weights[i] = in.readByte() * scale;
                }
            } else {
                for (int i = 0; i < count; i++) weights[i] = encoding == 0 ? in.readFloat() : fromHalf(in.readShort());
            }
            if (in.available() != 0) throw new ModelFormatException(source, in.available() + " unexpected bytes after the weights");
            Contents c = new Contents(List.copyOf(labels), features, arch, clipSamples, provenance, weights,
                    Precision.values()[encoding]);
            validate(c, source);
            return c;
        } catch (EOFException e) {
            throw new ModelFormatException(source, "truncated inside the model description");
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(source, "unreadable: " + e.getMessage());
        }
    }

    private static void validate(Contents c, String source) throws ModelFormatException {
        GruConfig a = c.architecture();
        if (c.labels().size() != a.classes()) {
            throw new ModelFormatException(source, c.labels().size() + " labels for " + a.classes() + " classes");
        }
        if (new HashSet<>(c.labels()).size() != c.labels().size()) throw new ModelFormatException(source, "duplicate labels");
        for (String l : c.labels()) if (l.isBlank()) throw new ModelFormatException(source, "an empty label");
        if (a.input() != c.features().coefficients()) {
            throw new ModelFormatException(source, "the GRU reads " + a.input() + " features but the front end makes "
                    + c.features().coefficients());
        }
        if (c.clipSamples() < c.features().frameSpan() || c.clipSamples() > 60 * c.features().sampleRate()) {
            throw new ModelFormatException(source, "clip length " + c.clipSamples() + " samples out of range");
        }
        if (c.weights().length != a.parameterCount()) {
            throw new ModelFormatException(source, c.weights().length + " weights, but the architecture needs " + a.parameterCount());
        }
        for (int i = 0; i < c.weights().length; i++) {
            if (!Float.isFinite(c.weights()[i])) throw new ModelFormatException(source, "weight " + i + " is not finite");
        }
        try {
            DetectionSettings.fromProvenance(c.provenance(), c.labels());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "bad detection settings: " + e.getMessage());
        }
    }

    /** IEEE 754 binary16 of {@code f}, rounded to nearest even (|f| ≤ 65504, finite). */
    static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0 && mant == 0) return (short) sign;
        int e = exp - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7bff);  // unreachable for |f| <= 65504 after the check
        if (e <= 0) {  // subnormal half: shift the mantissa (with its implicit 1) right, rounding to nearest even
            if (e < -10) return (short) sign;
            int m = mant | 0x800000;
            int shift = 14 - e;
            int half = m >> shift;
            int rest = m & ((1 << shift) - 1), mid = 1 << (shift - 1);
            if (rest > mid || (rest == mid && (half & 1) == 1)) half++;
            return (short) (sign | half);
        }
        int half = (e << 10) | (mant >> 13);
        int rest = mant & 0x1fff;
        if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) half++;  // may carry into the exponent: correct
        return (short) (sign | half);
    }

    static float fromHalf(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0) {
            float v = mant * (1f / (1 << 24));  // subnormal: mant · 2^-24
            return sign == 0 ? v : -v;
        }
        if (exp == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) throw new IOException("provenance string longer than " + MAX_STRING_BYTES + " bytes");
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in, String source) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_STRING_BYTES || n > in.available()) {
            throw new ModelFormatException(source, "provenance string length " + n + " out of range");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static byte[] sha256(byte[] data, int length) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data, 0, length);
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

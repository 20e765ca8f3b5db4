package dev.earshot.datasets;

import dev.earshot.audio.FeatureSettings;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * Features computed once per clip and kept on disk: one file per (clip list, feature settings), e.g. one per
 * dataset split.
 *
 * <p>The file is named by a SHA-256 of the settings key and the clips' absolute paths, and records each clip's
 * size and modification time: when a clip changed, or the file is damaged (a CRC-32C over everything checks it,
 * and every length is checked against the file's size before anything is allocated), it is rebuilt, never
 * used. Files are written to a temporary file and moved into place atomically, so a crash leaves the old file
 * or none.
 *
 * <h2>Format</h2> big-endian: int magic {@code "EFC1"}, int version 1, int key length + UTF-8 settings key,
 * int clip count; per clip: int path length + UTF-8 absolute path, long size, long mtime (ms), int float count;
 * then every clip's floats in order; then long CRC-32C of all preceding bytes.
 */
public final class FeatureCache {
    private static final int MAGIC = 0x45464331; // "EFC1"
    private static final int VERSION = 1;

    /** How a {@link #load} call got its features. */
    public enum Status {
        /** Read from a valid cache file; the featurizer was not called. */
        LOADED,
        /** No cache file: computed and written. */
        BUILT,
        /** A clip changed (size or time) or the key differed: recomputed and rewritten. */
        REBUILT_STALE,
        /** The cache file was damaged (checksum, truncation, bad header): recomputed and rewritten. */
        REBUILT_CORRUPT
    }

    /** Features of each clip, in the order the clips were given. */
    public static final class Features {
        private final List<float[]> perClip;
        private final Path file;
        private final Status status;
        private final String problem;

        Features(List<float[]> perClip, Path file, Status status, String problem) {
            this.perClip = perClip;
            this.file = file;
            this.status = status;
            this.problem = problem;
        }

        public int size() { return perClip.size(); }

        /** The features of clip {@code i} (the cache's own array: do not modify). */
        public float[] get(int i) { return perClip.get(i); }

        /** The cache file. */
        public Path file() { return file; }

        public Status status() { return status; }

        /** Why the file was rebuilt (null when loaded or built fresh). */
        public String problem() { return problem; }
    }

    private FeatureCache() {
    }

    /** A stable key for audio's settings: hex SHA-256 of their binary form ({@link FeatureSettings#writeTo}). */
    public static String settingsKey(FeatureSettings settings) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            settings.writeTo(new DataOutputStream(bytes));
            return "mfcc-" + HexFormat.of().formatHex(sha256().digest(bytes.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #load(Path, List, String, Function, int)} with one thread. */
    public static Features load(Path dir, List<Path> clips, String settingsKey, Function<Path, float[]> featurize) throws IOException {
        return load(dir, clips, settingsKey, featurize, 1);
    }

    /**
     * The features of {@code clips}: from the cache file in {@code dir} when it is valid and current, else
     * computed with {@code featurize} (on {@code threads} threads) and written.
     *
     * @param settingsKey identifies the feature settings (see {@link #settingsKey(FeatureSettings)}); a
     *                    different key is a different file
     * @throws IOException naming the clip when the featurizer fails or returns null, or when the cache cannot
     *                     be written
     */
    public static Features load(Path dir, List<Path> clips, String settingsKey, Function<Path, float[]> featurize, int threads)
            throws IOException {
        Objects.requireNonNull(settingsKey, "settingsKey");
        Objects.requireNonNull(featurize, "featurize");
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
        List<Path> abs = new ArrayList<>(clips.size());
        for (Path p : clips) abs.add(p.toAbsolutePath().normalize());
        long[] sizes = new long[abs.size()];
        long[] mtimes = new long[abs.size()];
        for (int i = 0; i < abs.size(); i++) {
            Path p = abs.get(i);
            if (!Files.isRegularFile(p)) throw new IOException(p + ": clip to featurize is missing");
            sizes[i] = Files.size(p);
            mtimes[i] = Files.getLastModifiedTime(p).toMillis();
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("features-" + nameHash(settingsKey, abs) + ".bin");
        Status status = Status.BUILT;
        String problem = null;
        if (Files.exists(file)) {
            try {
                List<float[]> got = read(file, settingsKey, abs, sizes, mtimes);
                return new Features(Collections.unmodifiableList(got), file, Status.LOADED, null);
            } catch (StaleException e) {
                status = Status.REBUILT_STALE;
                problem = e.getMessage();
            } catch (IOException e) {
                status = Status.REBUILT_CORRUPT;
                problem = e.getMessage();
            }
        }
        List<float[]> computed = compute(abs, featurize, threads);
        write(file, settingsKey, abs, sizes, mtimes, computed);
        return new Features(Collections.unmodifiableList(computed), file, status, problem);
    }

    private static List<float[]> compute(List<Path> clips, Function<Path, float[]> featurize, int threads) throws IOException {
        float[][] out = new float[clips.size()][];
        Runnable job = () -> IntStream.range(0, clips.size()).parallel().forEach(i -> {
            float[] f;
            try {
                f = featurize.apply(clips.get(i));
            } catch (UncheckedIOException e) {
                throw new UncheckedIOException(clips.get(i) + ": featurizing failed: " + e.getCause().getMessage(), e.getCause());
            } catch (RuntimeException e) {
                throw new IllegalStateException(clips.get(i) + ": featurizing failed: " + e, e);
            }
            if (f == null) throw new IllegalStateException(clips.get(i) + ": featurizer returned null");
            out[i] = f.clone();
        });
        if (threads == 1) {
            // Sequential without a pool: the common pool is shared with the rest of the JVM.
            for (int i = 0; i < clips.size(); i++) {
                float[] f;
                try {
                    f = featurize.apply(clips.get(i));
                } catch (UncheckedIOException e) {
                    throw new IOException(clips.get(i) + ": featurizing failed: " + e.getCause().getMessage(), e.getCause());
                }
                if (f == null) throw new IOException(clips.get(i) + ": featurizer returned null");
                out[i] = f.clone();
            }
        } else {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                pool.submit(job).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while featurizing", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                throw new IOException(c.getMessage(), c);
            } finally {
                pool.shutdown();
            }
        }
        List<float[]> list = new ArrayList<>(out.length);
        Collections.addAll(list, out);
        return list;
    }

    /** Thrown when the file is intact but describes other clips, times or settings. */
    private static final class StaleException extends IOException {
        private static final long serialVersionUID = 1L;

        StaleException(String msg) {
            super(msg);
        }
    }

    private static List<float[]> read(Path file, String key, List<Path> clips, long[] sizes, long[] mtimes) throws IOException {
        long fileSize = Files.size(file);
        long remaining = fileSize - 8; // trailing checksum
        CRC32C crc = new CRC32C();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            try {
                if (in.readInt() != MAGIC) throw new IOException(file + ": not a feature cache file (bad magic)");
                int version = in.readInt();
                if (version != VERSION) throw new IOException(file + ": cache version " + version + ", want " + VERSION);
                String storedKey = readString(in, remaining, file);
                int n = in.readInt();
                if (n < 0 || n > remaining / 24) throw new IOException(file + ": bad clip count " + n);
                int[] counts = new int[n];
                List<String> paths = new ArrayList<>(n);
                long total = 0;
                boolean stale = !storedKey.equals(key) || n != clips.size();
                for (int i = 0; i < n; i++) {
                    String path = readString(in, remaining, file);
                    long size = in.readLong();
                    long mtime = in.readLong();
                    counts[i] = in.readInt();
                    if (counts[i] < 0) throw new IOException(file + ": negative float count for " + path);
                    total += counts[i];
                    if (!stale && (!path.equals(clips.get(i).toString()) || size != sizes[i] || mtime != mtimes[i])) stale = true;
                    paths.add(path);
                }
                if (total * 4 > remaining) {
                    throw new IOException(file + ": truncated (header promises " + total + " floats, file is " + fileSize + " bytes)");
                }
                List<float[]> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    float[] f = new float[counts[i]];
                    for (int j = 0; j < f.length; j++) f[j] = in.readFloat();
                    out.add(f);
                }
                long expected = crc.getValue();
                long stored = new DataInputStream(raw).readLong();
                if (stored != expected) throw new IOException(file + ": checksum mismatch (file damaged)");
                if (raw.read() != -1) throw new IOException(file + ": trailing bytes after the checksum");
                // Only an intact file can be called stale; a damaged one is reported as such above.
                if (stale) throw new StaleException(file + ": clips or settings changed since it was written");
                return out;
            } catch (EOFException e) {
                throw new IOException(file + ": truncated", e);
            }
        }
    }

    private static String readString(DataInputStream in, long limit, Path file) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > Math.min(limit, 1 << 20)) throw new IOException(file + ": bad string length " + len);
        byte[] b = new byte[len];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void write(Path file, String key, List<Path> clips, long[] sizes, long[] mtimes, List<float[]> feats) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), ".features-", ".tmp");
        try {
            CRC32C crc = new CRC32C();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                OutputStream raw = new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(ch), 1 << 16);
                DataOutputStream out = new DataOutputStream(new CheckedOutputStream(raw, crc));
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                writeString(out, key);
                out.writeInt(clips.size());
                for (int i = 0; i < clips.size(); i++) {
                    writeString(out, clips.get(i).toString());
                    out.writeLong(sizes[i]);
                    out.writeLong(mtimes[i]);
                    out.writeInt(feats.get(i).length);
                }
                for (float[] f : feats) for (float v : f) out.writeFloat(v);
                out.flush();
                new DataOutputStream(raw).writeLong(crc.getValue());
                raw.flush();
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String nameHash(String key, List<Path> clips) {
        MessageDigest md = sha256();
        md.update(key.getBytes(StandardCharsets.UTF_8));
        for (Path p : clips) {
            md.update((byte) 0);
            md.update(p.toString().getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(md.digest()).substring(0, 32);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}

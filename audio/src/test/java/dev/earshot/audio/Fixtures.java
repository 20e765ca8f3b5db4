package dev.earshot.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Test fixtures from src/test/resources (see README.md there and src/test/python/make_mfcc_golden.py). */
final class Fixtures {
    static final String[] SPEECH = {"yes_03401e93_nohash_0", "stop_0cb74144_nohash_0", "marvin_bf8d5617_nohash_0"};

    private Fixtures() {
    }

    static byte[] bytes(String resource) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static AudioClip speech(String stem) throws IOException {
        return WavReader.decode(bytes("speech/" + stem + ".wav"), stem + ".wav");
    }

    /** A golden .f32: int32 rows, int32 cols, rows*cols float32, all little-endian. */
    static float[][] golden(String name) {
        ByteBuffer bb = ByteBuffer.wrap(bytes("golden/" + name + ".f32")).order(ByteOrder.LITTLE_ENDIAN);
        int rows = bb.getInt(), cols = bb.getInt();
        float[][] out = new float[rows][cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) out[r][c] = bb.getFloat();
        if (bb.hasRemaining()) throw new IllegalStateException(name + ": trailing bytes");
        return out;
    }
}

package dev.earshot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.gru.GruConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The model file round-trips exactly, and a damaged, truncated or foreign file is always refused. */
class ModelFileTest {
    static ModelFile.Contents tinyModel(long seed) {
        FeatureSettings fs = FeatureSettings.defaults();
        GruConfig arch = new GruConfig(fs.coefficients(), 6, 1, 4);
        float[] w = new float[(int) arch.parameterCount()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("data", "unit test");
        prov.put("seed", Long.toString(seed));
        prov.put("note", "ünïcödé ✓");
        return new ModelFile.Contents(List.of("_silence_", "_unknown_", "yes", "no"), fs, arch, 16000, prov, w);
    }

    /** {@code c} with {@code extra} added to (or replacing entries of) its provenance. */
    static ModelFile.Contents withProvenance(ModelFile.Contents c, Map<String, String> extra) {
        Map<String, String> p = new LinkedHashMap<>(c.provenance());
        p.putAll(extra);
        return new ModelFile.Contents(c.labels(), c.features(), c.architecture(), c.clipSamples(), p, c.weights());
    }

    @Test
    void roundTripsEveryField(@TempDir Path dir) throws IOException {
        ModelFile.Contents c = tinyModel(1);
        Path file = dir.resolve("m.earshot");
        try (KeywordModel m = KeywordModel.create(c)) {
            m.save(file);
        }
        try (KeywordModel m = KeywordModel.load(file)) {
            assertEquals(c.labels(), m.labels());
            assertEquals(c.features(), m.features());
            assertEquals(c.architecture(), m.architecture());
            assertEquals(c.clipSamples(), m.clipSamples());
            assertEquals(c.provenance(), m.provenance());
            assertArrayEquals(c.weights(), m.gru().parameters());
        }
        // No temporary files are left beside the model.
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void halfPrecisionRoundsEachWeightToTheNearestHalf() throws IOException {
        ModelFile.Contents c = tinyModel(9);
        ModelFile.Contents back = ModelFile.decode(ModelFile.encode(c, ModelFile.Precision.FLOAT16), "half");
        for (int i = 0; i < c.weights().length; i++) {
            float w = c.weights()[i], h = back.weights()[i];
            // nearest: no other half lies closer (neighbours one half-ulp away on either side)
            float ulp = Math.ulp(h) * (1 << 13);
            assertTrue(Math.abs(w - h) <= ulp / 2 + 1e-12, w + " -> " + h);
        }
        // Exact values and the edges of the format survive.
        for (float v : new float[] {0f, -0f, 1f, -2.5f, 65504f, -65504f, 6.103515625e-5f, 5.9604645e-8f, 0.33325195f}) {
            assertEquals(v, ModelFile.fromHalf(ModelFile.toHalf(v)), v + "");
        }
        assertEquals(1f, ModelFile.fromHalf(ModelFile.toHalf(1.0004883f)), "ties go to even");
        assertTrue(ModelFile.encode(c, ModelFile.Precision.FLOAT16).length < ModelFile.encode(c).length * 0.6);
    }

    @Test
    void int8BlocksKeepEachWeightWithinHalfAStep() throws IOException {
        ModelFile.Contents c = tinyModel(10);
        byte[] bytes = ModelFile.encode(c, ModelFile.Precision.INT8);
        ModelFile.Contents back = ModelFile.decode(bytes, "int8");
        float[] w = c.weights(), q = back.weights();
        for (int start = 0; start < w.length; start += ModelFile.INT8_BLOCK) {
            int end = Math.min(w.length, start + ModelFile.INT8_BLOCK);
            float max = 0;
            for (int i = start; i < end; i++) max = Math.max(max, Math.abs(w[i]));
            float step = max / 127f;
            for (int i = start; i < end; i++) assertTrue(Math.abs(w[i] - q[i]) <= step / 2 * 1.0001f + 1e-12f, i + ": " + w[i] + " -> " + q[i]);
        }
        // the weights take one byte each plus a 4-byte scale per block, instead of four bytes each
        int blocks = (w.length + ModelFile.INT8_BLOCK - 1) / ModelFile.INT8_BLOCK;
        assertEquals(ModelFile.encode(c).length - 3L * w.length + 4L * blocks, bytes.length);
        // a decoded file says how it stored its weights; contents made in memory say float32
        assertEquals(ModelFile.Precision.INT8, back.storedAs());
        assertEquals(ModelFile.Precision.FLOAT16, ModelFile.decode(ModelFile.encode(c, ModelFile.Precision.FLOAT16), "half").storedAs());
        assertEquals(ModelFile.Precision.FLOAT32, c.storedAs());
        assertEquals(ModelFile.Precision.INT8, ModelFile.decode(ModelFile.withProvenance(bytes, Map.of("k", "v"), "int8"), "int8").storedAs());
    }

    @Test
    void everyDamagedByteIsRefused() throws IOException {
        byte[] good = ModelFile.encode(tinyModel(2));
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.decode(bad, "m.earshot"),
                    "flipped bit in byte " + i);
            assertTrue(e.getMessage().startsWith("m.earshot: "), e.getMessage());
        }
    }

    @Test
    void everyTruncationIsRefused() throws IOException {
        byte[] good = ModelFile.encode(tinyModel(3));
        for (int n = 0; n < good.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(good, n);
            assertThrows(ModelFormatException.class, () -> ModelFile.decode(cut, "cut.earshot"), "first " + n + " bytes");
        }
    }

    @Test
    void foreignFilesAndMissingFilesGetClearErrors(@TempDir Path dir) throws IOException {
        Path wav = dir.resolve("clip.wav");
        Files.write(wav, "RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.US_ASCII));
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> KeywordModel.load(wav));
        assertTrue(e.getMessage().contains(wav.toString()) && e.getMessage().contains("not an Earshot model"), e.getMessage());

        Path empty = Files.createFile(dir.resolve("empty.earshot"));
        e = assertThrows(ModelFormatException.class, () -> KeywordModel.load(empty));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        IOException missing = assertThrows(IOException.class, () -> KeywordModel.load(dir.resolve("nope.earshot")));
        assertTrue(missing.getMessage().contains("nope.earshot"), missing.getMessage());
        e = assertThrows(ModelFormatException.class, () -> KeywordModel.load(dir));
        assertTrue(e.getMessage().contains("directory"), e.getMessage());
    }

    @Test
    void unknownVersionAndMangledHeaderAreNamed() throws IOException {
        byte[] good = ModelFile.encode(tinyModel(4));
        byte[] v2 = good.clone();
        v2[15] = 2;
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.decode(v2, "v2.earshot"));
        assertTrue(e.getMessage().contains("version 2"), e.getMessage());
        byte[] mangled = good.clone();
        mangled[8] = '\n';  // CRLF → LF style damage
        e = assertThrows(ModelFormatException.class, () -> ModelFile.decode(mangled, "crlf.earshot"));
        assertTrue(e.getMessage().contains("altered"), e.getMessage());
    }

    @Test
    void inconsistentContentsCannotBeWritten() {
        ModelFile.Contents c = tinyModel(5);
        ModelFile.Contents badLabels = new ModelFile.Contents(List.of("a", "b", "c"), c.features(), c.architecture(),
                c.clipSamples(), c.provenance(), c.weights());
        assertThrows(ModelFormatException.class, () -> ModelFile.encode(badLabels));
        float[] w = c.weights().clone();
        w[3] = Float.NaN;
        ModelFile.Contents nan = new ModelFile.Contents(c.labels(), c.features(), c.architecture(), c.clipSamples(),
                c.provenance(), w);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.encode(nan));
        assertTrue(e.getMessage().contains("weight 3"), e.getMessage());
    }
}

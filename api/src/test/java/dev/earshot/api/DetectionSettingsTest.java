package dev.earshot.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Detection settings stored in a model file: round trip, refusal of bad values, and the spotter using them. */
class DetectionSettingsTest {
    private static final DetectionSettings TUNED = new DetectionSettings(500, 0.6f, Map.of("yes", 0.45f, "no", 0.9f), 700, 1, 100);

    @Test
    void settingsRoundTripThroughAModelFile() throws IOException {
        ModelFile.Contents tiny = ModelFileTest.tinyModel(21);
        assertEquals(DetectionSettings.defaults(), DetectionSettings.fromProvenance(tiny.provenance(), tiny.labels()),
                "a model without settings gets the defaults");
        Map<String, String> p = TUNED.toProvenance();
        assertEquals("0.45", p.get("detection.threshold.yes"));
        assertEquals(TUNED, DetectionSettings.fromProvenance(p, tiny.labels()));
        byte[] file = ModelFile.encode(ModelFileTest.withProvenance(tiny, p), ModelFile.Precision.INT8);
        try (KeywordModel m = KeywordModel.load(new java.io.ByteArrayInputStream(file), "tuned.earshot")) {
            assertEquals(TUNED, m.detectionSettings());
        }
        try (KeywordModel m = KeywordModel.create(tiny)) {
            assertEquals(DetectionSettings.defaults(), m.detectionSettings());
        }
    }

    @Test
    void badStoredSettingsAreRefusedNamingTheFile() throws IOException {
        ModelFile.Contents tiny = ModelFileTest.tinyModel(22);
        Map<String, String> good = TUNED.toProvenance();
        List<Map<String, String>> bad = new ArrayList<>();
        for (String key : List.of("detection.average_ms", "detection.threshold", "detection.suppression_ms",
                "detection.minimum_count", "detection.window_stride_ms")) {
            Map<String, String> missing = new LinkedHashMap<>(good);
            missing.remove(key);
            bad.add(missing);
        }
        for (String[] kv : new String[][] {{"detection.threshold", "NaN"}, {"detection.threshold", "1.5"},
                {"detection.threshold", "x"}, {"detection.average_ms", "-5"}, {"detection.minimum_count", "0"},
                {"detection.suppression_ms", "99999999999"}, {"detection.threshold.yes", "0"},
                {"detection.threshold.maybe", "0.5"}, {"detection.threshold._unknown_", "0.5"}}) {
            Map<String, String> m = new LinkedHashMap<>(good);
            m.put(kv[0], kv[1]);
            bad.add(m);
        }
        // encode refuses them too; so the bytes come from the valid model, and the bad provenance is swapped in
        byte[] file = ModelFile.encode(tiny);
        for (Map<String, String> p : bad) {
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> ModelFile.withProvenance(file, p, "bad.earshot"), p.toString());
            assertTrue(e.getMessage().startsWith("bad.earshot: bad detection settings: "), e.getMessage());
            assertThrows(ModelFormatException.class, () -> ModelFile.encode(ModelFileTest.withProvenance(tiny, p)), p.toString());
        }
    }

    @Test
    void withProvenanceKeepsTheWeightBytes() throws IOException {
        ModelFile.Contents tiny = ModelFileTest.tinyModel(23);
        for (ModelFile.Precision precision : ModelFile.Precision.values()) {
            byte[] before = ModelFile.encode(tiny, precision);
            Map<String, String> p = new LinkedHashMap<>(tiny.provenance());
            p.putAll(TUNED.toProvenance());
            byte[] after = ModelFile.withProvenance(before, p, "m.earshot");
            ModelFile.Contents a = ModelFile.decode(after, "m.earshot"), b = ModelFile.decode(before, "m.earshot");
            assertArrayEquals(b.weights(), a.weights(), precision.toString());
            assertEquals(p, a.provenance());
            // the weight section is byte for byte the old one: the files end alike before their checksums
            int n = b.weights().length;
            int tail = 4 + 1 + switch (precision) {
                case FLOAT32 -> 4 * n;
                case FLOAT16 -> 2 * n;
                case INT8 -> 4 * ((n + 63) / 64) + n;
            };
            assertArrayEquals(Arrays.copyOfRange(before, before.length - 32 - tail, before.length - 32),
                    Arrays.copyOfRange(after, after.length - 32 - tail, after.length - 32), precision.toString());
            byte[] damaged = before.clone();
            damaged[damaged.length / 2] ^= 1;
            assertThrows(ModelFormatException.class, () -> ModelFile.withProvenance(damaged, p, "m.earshot"));
        }
    }

    @Test
    void theSpotterUsesTheModelsSettings() throws IOException {
        ModelFile.Contents tiny = ModelFileTest.tinyModel(24);
        DetectionSettings eager = new DetectionSettings(300, 1e-6f, Map.of(), 700, 1, 100);
        float[] pcm = new float[16000 * 5];
        SplittableRandom rng = new SplittableRandom(5);
        for (int i = 0; i < pcm.length; i++) pcm[i] = (float) (0.2 * rng.nextGaussian());
        try (KeywordModel m = KeywordModel.create(ModelFileTest.withProvenance(tiny, eager.toProvenance()))) {
            List<Detection> own = new ArrayList<>(), given = new ArrayList<>(), defaults = new ArrayList<>();
            try (Spotter s = new Spotter(m, own::add)) {
                s.accept(pcm);
            }
            try (Spotter s = new Spotter(m, eager, given::add)) {
                s.accept(pcm);
            }
            try (Spotter s = new Spotter(m, DetectionSettings.defaults(), defaults::add)) {
                s.accept(pcm);
            }
            assertTrue(own.size() >= 4, "detections: " + own);
            assertEquals(given, own);
            assertNotEquals(defaults, own);
        }
    }
}

package dev.earshot.api;

import dev.earshot.audio.FuzzFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.gru.GruConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded mutation fuzzer for the model-file reader that re-seals every mutant with a valid SHA-256, so the
 * parser behind the checksum sees hostile bytes. Mutants start from the committed corpus
 * ({@code src/test/resources/fuzz/model-file/corpus/}, written by {@link #generateCorpus()}) and go through
 * {@link KeywordModel#load(java.io.InputStream, String)}, the whole way a model is opened (parse, feature front
 * end, native GRU): every input must end in a model or a ModelFormatException naming it, never another
 * exception, an OutOfMemoryError or a hang. A failing input is written to {@code target/fuzz-failures/model-file/}
 * and, once fixed, goes into {@code fuzz/model-file/crashers/}, which is replayed on every run.
 *
 * <p>CI runs a fixed budget from a fixed seed; {@code -Dearshot.fuzz.cases=N -Dearshot.fuzz.seed=S} runs
 * longer or elsewhere. {@code -Dearshot.fuzz.writeCorpus=true} rewrites the corpus after a format change.
 */
class ModelFileFuzzTest {
    static final String TARGET = "model-file";
    static final int CASES = Integer.getInteger("earshot.fuzz.cases", 100_000);
    static final long BASE_SEED = Long.getLong("earshot.fuzz.seed", 2026L);

    /**
     * The corpus: small models in each weight encoding, written by the real {@link ModelFile#encode}. Between
     * them they hold every optional part of the format: normalization, two layers, the WINDOW frame layout,
     * an empty and a non-ASCII provenance, a short last INT8 block.
     */
    static Map<String, byte[]> generateCorpus() throws IOException {
        Map<String, byte[]> c = new LinkedHashMap<>();
        c.put("float32.earshot", ModelFile.encode(model(1, FeatureSettings.defaults(), 6, 1, Map.of("seed", "1")),
                ModelFile.Precision.FLOAT32));
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("data", "fuzz corpus");
        prov.put("note", "ünïcödé ✓");
        c.put("float16.earshot", ModelFile.encode(model(2, FeatureSettings.defaults(), 5, 1, prov), ModelFile.Precision.FLOAT16));
        FeatureSettings small = FeatureSettings.builder().windowLength(400).hopLength(160).melBands(20).coefficients(8)
                .layout(FeatureSettings.FrameLayout.WINDOW)
                .normalization(new float[] {-3, -1, 0, 0.5f, 1, 0, 0, 0}, new float[] {4, 2, 1, 1, 0.5f, 1, 1, 2}).build();
        c.put("int8_two_layers_normalized.earshot", ModelFile.encode(model(3, small, 4, 2, Map.of()), ModelFile.Precision.INT8));
        return c;
    }

    private static ModelFile.Contents model(long seed, FeatureSettings fs, int hidden, int layers, Map<String, String> prov) {
        GruConfig arch = new GruConfig(fs.coefficients(), hidden, layers, 4);
        float[] w = new float[(int) arch.parameterCount()];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < w.length; i++) w[i] = (float) rng.nextGaussian();
        return new ModelFile.Contents(List.of("_silence_", "_unknown_", "yes", "no"), fs, arch, 16000, prov, w);
    }

    private static byte[] reseal(byte[] body) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
        byte[] out = Arrays.copyOf(body, body.length + digest.length);
        System.arraycopy(digest, 0, out, body.length, digest.length);
        return out;
    }

    /** One mutant of a model file: 1–4 edits past the magic and version, then a valid checksum again. */
    static byte[] mutate(byte[] seed, SplittableRandom rng) throws Exception {
        byte[] body = Arrays.copyOf(seed, seed.length - 32);
        int edits = 1 + rng.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int pos = 16 + rng.nextInt(body.length - 16);  // past magic and version: the parser's input
            switch (rng.nextInt(5)) {
                case 0 -> body[pos] ^= (byte) (1 << rng.nextInt(8));
                case 1 -> body[pos] = (byte) rng.nextInt(256);
                case 2 -> {  // a 32-bit field set to an extreme
                    int v = switch (rng.nextInt(4)) {
                        case 0 -> Integer.MAX_VALUE;
                        case 1 -> Integer.MIN_VALUE;
                        case 2 -> -1;
                        default -> rng.nextInt(1 << 20);
                    };
                    for (int k = 0; k < 4 && pos + k < body.length; k++) body[pos + k] = (byte) (v >>> (24 - 8 * k));
                }
                case 3 -> body = Arrays.copyOf(body, pos);  // truncate
                default -> {  // insert bytes
                    byte[] ins = new byte[1 + rng.nextInt(8)];
                    rng.nextBytes(ins);
                    byte[] b = new byte[body.length + ins.length];
                    System.arraycopy(body, 0, b, 0, pos);
                    System.arraycopy(ins, 0, b, pos, ins.length);
                    System.arraycopy(body, pos, b, pos + ins.length, body.length - pos);
                    body = b;
                }
            }
            if (body.length <= 16) break;
        }
        return reseal(body);
    }

    /** How one input ended: a model, refused with a ModelFormatException naming it, or a problem (a failure). */
    record Outcome(boolean loaded, String problem) {}

    /** Opens {@code file} as a model named {@code name} (and closes it); see {@link Outcome}. */
    static Outcome check(byte[] file, String name) {
        try (KeywordModel m = KeywordModel.load(new ByteArrayInputStream(file), name)) {
            return new Outcome(true, null);
        } catch (ModelFormatException e) {
            return new Outcome(false, e.getMessage().startsWith(name + ": ") ? null : "the error does not name the input: " + e.getMessage());
        } catch (Throwable t) {
            return new Outcome(false, FuzzFiles.describe(t));
        }
    }

    @Test
    void corpusIsWhatTheGeneratorWrites() throws Exception {
        Path dir = FuzzFiles.sourceDir(TARGET, "corpus");
        Map<String, byte[]> want = generateCorpus();
        if (Boolean.getBoolean("earshot.fuzz.writeCorpus")) {
            for (Map.Entry<String, byte[]> e : want.entrySet()) Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        List<String> have;
        try (var files = Files.list(dir)) {
            have = files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("README.md")).sorted().toList();
        }
        assertEquals(want.keySet().stream().sorted().toList(), have, "corpus files");
        for (Map.Entry<String, byte[]> e : want.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())), e.getKey() + " is not what generateCorpus() "
                    + "writes (did the model format change?); rewrite the corpus with -Dearshot.fuzz.writeCorpus=true");
            assertEquals(new Outcome(true, null), check(e.getValue(), e.getKey()), e.getKey() + " must load as a model");
        }
    }

    @Test
    void everyCommittedCrasherEndsInAModelOrAModelFormatException() throws IOException {
        FuzzFiles.replayCrashers(TARGET, p -> {
            String name = p.getFileName().toString();
            // Through the file path, as a user opens one: a model, or an error naming the file (anything else is thrown).
            try (KeywordModel loaded = KeywordModel.load(p)) {
                assertTrue(loaded.labels().size() >= 2, name);
            } catch (ModelFormatException e) {
                assertTrue(e.getMessage().startsWith(p + ": "), name + ": the error does not name the file: " + e.getMessage());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return check(FuzzFiles.read(p), name).problem();
        });
    }

    @Test
    @Timeout(120)
    void mutantsWithValidChecksumsEndInAModelOrAClearError() {
        FuzzFiles.Campaign c = FuzzFiles.campaign(TARGET, "earshot", CASES, BASE_SEED, (b, rng) -> {
                    try {
                        return mutate(b, rng);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, (mutant, seed) -> {
                    Outcome o = check(mutant, "fuzz-" + seed);
                    return new FuzzFiles.Verdict(o.problem(), o.loaded());
                });
        assertTrue(c.failures().isEmpty(), () -> FuzzFiles.report(TARGET, CASES, c.failures()));
        assertTrue(c.refused() > CASES / 2, "most mutants are refused: " + c.refused() + " of " + CASES + " (" + c.accepted() + " loaded)");
        assertTrue(c.accepted() > CASES / 50, "some mutants still load (edits in weights and provenance): " + c.accepted());
    }

    /** Re-runs one case by seed (for debugging a failure report). */
    static Outcome replay(long seed) throws Exception {
        List<Path> corpus = FuzzFiles.list(TARGET, "corpus");
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] from = FuzzFiles.read(corpus.get(rng.nextInt(corpus.size())));
        return check(mutate(from, rng), "fuzz-" + seed);
    }
}

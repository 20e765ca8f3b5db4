package dev.earshot.api;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation fuzzer for the model-file reader that re-seals every mutant with a valid SHA-256, so the
 * parser behind the checksum sees hostile bytes: every input must end in a model or a ModelFormatException,
 * never another exception, an OutOfMemoryError or a hang.
 */
class ModelFileFuzzTest {
    private static final int CASES = 20_000;

    private static byte[] reseal(byte[] body) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
        byte[] out = Arrays.copyOf(body, body.length + digest.length);
        System.arraycopy(digest, 0, out, body.length, digest.length);
        return out;
    }

    @Test
    void mutantsWithValidChecksumsEndInAModelOrAClearError() throws Exception {
        byte[][] seeds = {
                ModelFile.encode(ModelFileTest.tinyModel(1)),
                ModelFile.encode(ModelFileTest.tinyModel(2), ModelFile.Precision.FLOAT16),
                ModelFile.encode(ModelFileTest.tinyModel(3), ModelFile.Precision.INT8)};
        SplittableRandom rng = new SplittableRandom(2026);
        int accepted = 0, refused = 0;
        long t0 = System.nanoTime();
        for (int c = 0; c < CASES; c++) {
            byte[] seed = seeds[rng.nextInt(seeds.length)];
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
            byte[] mutant = reseal(body);
            try {
                ModelFile.decode(mutant, "fuzz-" + c);
                accepted++;
            } catch (ModelFormatException ok) {
                refused++;
                assertTrue(ok.getMessage().startsWith("fuzz-" + c + ": "), ok.getMessage());
            } catch (Throwable t) {
                fail("case " + c + " (seed 2026) threw " + t, t);
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 60, "fuzzing took " + secs + " s");
        assertTrue(refused > CASES / 2, "most mutants are refused: " + refused + " of " + CASES + " (" + accepted + " parsed)");
    }
}

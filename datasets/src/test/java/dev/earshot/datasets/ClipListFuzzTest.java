package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutations of a {@code validation_list.txt}: every one ends in a set of clips or an IOException that
 * names the file, never another exception.
 */
class ClipListFuzzTest {
    @Test
    void readsTheOfficialShapeAndRefusesGarbageByName(@TempDir Path dir) throws IOException {
        Path list = dir.resolve("validation_list.txt");
        Files.writeString(list, "yes/0a7c2a8d_nohash_0.wav\r\n./no/0b09edd3_nohash_1.wav\n\n# comment\nleft\\1_nohash_2.wav\n");
        assertEquals(Set.of("yes/0a7c2a8d_nohash_0.wav", "no/0b09edd3_nohash_1.wav", "left/1_nohash_2.wav"), ClipList.read(list));

        String good = "yes/0a7c2a8d_nohash_0.wav\nno/0b09edd3_nohash_1.wav\nstop/c1d39ce8_nohash_3.wav\n";
        byte[] seed = good.getBytes(StandardCharsets.UTF_8);
        SplittableRandom rng = new SplittableRandom(7);
        int refused = 0;
        for (int c = 0; c < 3000; c++) {
            byte[] b = seed.clone();
            int edits = 1 + rng.nextInt(6);
            for (int e = 0; e < edits; e++) {
                int pos = rng.nextInt(b.length);
                switch (rng.nextInt(4)) {
                    case 0 -> b[pos] = (byte) rng.nextInt(256);
                    case 1 -> b[pos] ^= (byte) (1 << rng.nextInt(8));
                    case 2 -> b = java.util.Arrays.copyOf(b, Math.max(0, pos));
                    default -> b[pos] = (byte) (rng.nextBoolean() ? 0 : 0xC3);
                }
                if (b.length == 0) break;
            }
            Files.write(list, b);
            try {
                Set<String> clips = ClipList.read(list);
                for (String s : clips) assertTrue(!s.isEmpty() && !s.contains("\n"), s);
            } catch (IOException e) {
                refused++;
                assertTrue(e.getMessage().startsWith(list.toString()), e.getMessage());
            } catch (RuntimeException | Error e) {
                fail("case " + c + " threw " + e, e);
            }
        }
        assertTrue(refused > 100, "binary and malformed mutants are refused: " + refused);
        Files.delete(list);
        IOException missing = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ClipList.read(list));
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
    }
}

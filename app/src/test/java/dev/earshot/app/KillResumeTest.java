package dev.earshot.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.api.KeywordModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real training process killed with SIGKILL at random moments, several times, then resumed: the files on
 * disk are always complete (old or new), and the resumed run ends with exactly the model of an
 * uninterrupted run with the same seed.
 */
class KillResumeTest {
    @Test
    void killNineAndResumeGivesTheUninterruptedModel(@TempDir Path dir) throws Exception {
        Path data = ToyDataset.write(dir.resolve("toy"), 8, 3, 2);
        TrainEvalRecognizeTest.data = data;
        int epochs = 14;
        Path straight = dir.resolve("straight.earshot");
        TrainEvalRecognizeTest.Run r = TrainEvalRecognizeTest.run(TrainEvalRecognizeTest.trainArgs(straight, epochs));
        assertEquals(0, r.exit(), r.err());

        Path killed = dir.resolve("killed.earshot");
        Path ckpt = Path.of(killed + ".ckpt");
        SplittableRandom rng = new SplittableRandom(7);
        int kills = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(List.of(TrainEvalRecognizeTest.trainArgs(killed, epochs)));
            if (attempt > 0) cmd.add("--resume");
            cmd.add("--keep-checkpoint");  // a run that finishes before the kill keeps it too, for the checks below
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("run" + attempt + ".log").toFile()).start();
            long modified = Files.exists(ckpt) ? Files.getLastModifiedTime(ckpt).toMillis() : 0;
            // Wait for a new checkpoint, then kill at a random moment of the next epoch.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (p.isAlive() && System.nanoTime() < deadline
                    && (!Files.exists(ckpt) || Files.getLastModifiedTime(ckpt).toMillis() == modified)) {
                Thread.sleep(5);
            }
            Thread.sleep(rng.nextInt(150));
            if (p.isAlive()) {
                p.destroyForcibly();  // SIGKILL
                kills++;
            }
            p.waitFor(30, TimeUnit.SECONDS);
            // Whatever the moment, the checkpoint is a complete one, and no half-written model is left.
            assertTrue(Files.exists(ckpt), "a checkpoint survives the kill");
            TrainEvalRecognizeTest.Run info = TrainEvalRecognizeTest.run(TrainEvalRecognizeTest.trainArgs(killed, epochs + 100, "--resume"));
            assertTrue(info.err().contains("other settings"), "the checkpoint is readable: " + info.err());
            if (Files.exists(killed)) KeywordModel.load(killed).close();
        }
        assertTrue(kills >= 2, "killed " + kills + " times");
        TrainEvalRecognizeTest.Run last = TrainEvalRecognizeTest.run(TrainEvalRecognizeTest.trainArgs(killed, epochs, "--resume"));
        assertEquals(0, last.exit(), last.err());
        try (KeywordModel a = KeywordModel.load(straight); KeywordModel b = KeywordModel.load(killed)) {
            assertArrayEquals(a.gru().parameters(), b.gru().parameters(), "resumed model = uninterrupted model");
        }
    }
}

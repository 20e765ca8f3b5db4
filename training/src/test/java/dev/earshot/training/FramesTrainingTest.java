package dev.earshot.training;

import dev.earshot.gru.Precision;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clips known by their MFCC frames alone (a featurized table) train to the very model their audio trains when nothing
 * needs the audio, and are refused, naming why, when something does.
 */
class FramesTrainingTest {
    @TempDir
    Path dir;

    /** The tones' clips with their clean, unnormalized frames in place of their audio. */
    static TrainingData asFrames(TrainingData td) {
        Mfcc raw = new Mfcc(FeatureSettings.defaults());
        return new TrainingData(td.labels(), frames(td.train(), raw), frames(td.validation(), raw), null,
                td.description() + " as frames");
    }

    static List<Example> frames(List<Example> clips, Mfcc raw) {
        List<Example> out = new ArrayList<>();
        for (Example e : clips) {
            float[] f = new float[raw.frameCount(16000) * raw.coefficients()];
            raw.compute(e.pcm(), 0, 16000, f, 0);
            out.add(new Example(e.path(), e.file(), e.speaker(), e.label(), null, f));
        }
        return out;
    }

    static TrainSettings plain(int epochs) {
        TrainSettings d = DataParallelTrainingTest.settings(epochs);
        return new TrainSettings(d.hidden(), d.layers(), epochs, d.batch(), 1e-2f, d.weightDecay(), d.clipNorm(),
                d.seed(), 1, 0f, 0f, 0, d.silenceFraction(), d.unknownFraction(), 0, d.timeMaskWidth(), 0,
                d.bandMaskWidth(), 0f, d.emaDecay(), false, d.labelSmoothing(), 0, null, 0, 0f, 0f, Precision.FP32);
    }

    static Trainer.Result train(TrainingData td, TrainSettings s, Path ckpt) throws Exception {
        return new Trainer(td, FeatureSettings.defaults(), 16000, s, ckpt, false, null, new TrainingListener() {}).run();
    }

    @Test
    void framesTrainTheModelTheirAudioTrains() throws Exception {
        TrainingData audio = DataParallelTrainingTest.tones();
        Trainer.Result a = train(audio, plain(12), dir.resolve("a.ckpt"));
        Trainer.Result f = train(asFrames(audio), plain(12), dir.resolve("f.ckpt"));
        assertArrayEquals(a.model().gru().parameters(), f.model().gru().parameters(),
                "frames and their audio trained different models");
        assertArrayEquals(a.model().features().normMean(), f.model().features().normMean());
        assertTrue(f.bestAccuracy() > 0.5, "the frames' model learned nothing: " + f.bestAccuracy());
    }

    @Test
    void settingsThatNeedAudioAreRefused() {
        TrainingData frames = asFrames(DataParallelTrainingTest.tones());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(frames, DataParallelTrainingTest.settings(1), dir.resolve("x.ckpt")));
        for (String why : List.of("MFCC frames without their audio", "time shift", "SpecAugment", "context")) {
            assertTrue(e.getMessage().contains(why), e.getMessage());
        }
    }

    @Test
    void framesOfOtherFeaturesAreRefusedNamingTheClip() {
        TrainingData td = asFrames(DataParallelTrainingTest.tones());
        List<Example> train = new ArrayList<>(td.train());
        Example first = train.get(0);
        train.set(0, new Example(first.path(), null, first.speaker(), first.label(), null, new float[7]));
        TrainingData bad = new TrainingData(td.labels(), train, td.validation(), null, "bad");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> train(bad, plain(1), dir.resolve("y.ckpt")));
        assertTrue(e.getMessage().contains(first.path()) && e.getMessage().contains("7 floats"), e.getMessage());
    }
}

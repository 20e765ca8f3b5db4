package dev.earshot.api;

import dev.earshot.audio.AudioClip;
import dev.earshot.audio.FeatureSettings;
import dev.earshot.audio.Mfcc;
import dev.earshot.audio.WavReader;
import dev.earshot.gru.GruConfig;
import dev.earshot.gru.GruModel;
import dev.earshot.gru.GruStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained keyword model: labels, the feature settings it was trained on, the GRU, and how it was
 * made. Immutable and thread-safe: one model serves any number of threads and streams at once. It holds
 * native memory; {@link #close()} frees it (after the streams that use it are closed).
 */
public final class KeywordModel implements AutoCloseable {
    /**
     * Where the bundled default model lives on the class path: one GRU layer of 384 trained for continuous
     * listening, the best of the bundled models on streams and the cheapest to run (BENCHMARKS.md).
     */
    public static final String BUNDLED_RESOURCE = "/dev/earshot/api/default.earshot";
    /**
     * The bundled window model: two GRU layers of 256 trained on single clips, a little better on single clips
     * than the default and about 12 times as costly in a {@link Spotter}, which runs it on overlapping windows.
     */
    public static final String BUNDLED_WINDOWS_RESOURCE = "/dev/earshot/api/windows.earshot";
    /** The label of the class "no speech": background noise or quiet. */
    public static final String SILENCE = "_silence_";
    /** The label of the class "a word that is not one of the commands". */
    public static final String UNKNOWN = "_unknown_";
    /**
     * Provenance key saying how a {@link Spotter} runs the model: {@link #CONTINUOUS} (trained with context,
     * one GRU stream that never resets) or {@link #WINDOWS} (trained on single clips from a zero state, run on
     * staggered one-clip windows). Absent means windows: models made before the key existed.
     */
    public static final String STREAMING_KEY = "streaming";
    /** {@link #STREAMING_KEY} value: one GRU stream that never resets. */
    public static final String CONTINUOUS = "continuous";
    /** {@link #STREAMING_KEY} value: staggered one-clip windows, each from a zero state. */
    public static final String WINDOWS = "windows";

    private final List<String> labels;
    private final FeatureSettings features;
    private final GruConfig architecture;
    private final int clipSamples;
    private final Map<String, String> provenance;
    private final GruModel gru;
    private final Mfcc mfcc;
    private final DetectionSettings detectionSettings;
    private final ModelFile.Precision storedAs;

    private KeywordModel(ModelFile.Contents c) {
        this.labels = List.copyOf(c.labels());
        this.features = c.features();
        this.architecture = c.architecture();
        this.clipSamples = c.clipSamples();
        this.provenance = Collections.unmodifiableMap(new LinkedHashMap<>(c.provenance()));
        this.detectionSettings = DetectionSettings.fromProvenance(provenance, labels);  // checked by ModelFile
        this.mfcc = new Mfcc(features);
        this.gru = new GruModel(architecture, c.weights());
        this.storedAs = c.storedAs();
    }

    /** A model from its parts (the trainer's way in). The contents are validated as a file's would be. */
    public static KeywordModel create(ModelFile.Contents contents) throws ModelFormatException {
        try {
            return new KeywordModel(ModelFile.decode(ModelFile.encode(contents), "model"));
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException("model", e.getMessage());
        }
    }

    /** Loads a {@code .earshot} file; a missing, foreign, truncated or damaged file gets an error naming it. */
    public static KeywordModel load(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such model file");
        if (Files.isDirectory(file)) throw new ModelFormatException(file.toString(), "is a directory, not a model file");
        try (InputStream in = Files.newInputStream(file)) {
            return new KeywordModel(ModelFile.read(in, file.toString()));
        }
    }

    /** Loads a model from a stream; {@code source} names it in errors. */
    public static KeywordModel load(InputStream in, String source) throws IOException {
        return new KeywordModel(ModelFile.read(in, source));
    }

    /** Loads a model from the class path of {@code anchor}'s class loader (absolute resource name). */
    public static KeywordModel fromClasspath(Class<?> anchor, String resource) throws IOException {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) throw new NoSuchFileException(resource, null, "no such resource on the class path");
            return load(in, "classpath:" + resource);
        }
    }

    /** The default model bundled with Earshot (12 classes: silence, unknown and ten command words). */
    public static KeywordModel bundled() throws IOException {
        return fromClasspath(KeywordModel.class, BUNDLED_RESOURCE);
    }

    /**
     * Loads {@code spec}: "default" for the bundled model, "windows" for the bundled window model
     * ({@link #BUNDLED_WINDOWS_RESOURCE}), "classpath:/x.earshot", or a file path.
     */
    public static KeywordModel open(String spec) throws IOException {
        String resource = resourceOf(spec);
        return resource != null ? fromClasspath(KeywordModel.class, resource) : load(Path.of(spec));
    }

    /**
     * The class-path resource an {@link #open} spec names ("default" or null, "windows", "classpath:/x.earshot"), or
     * null when the spec is a file path.
     */
    public static String resourceOf(String spec) {
        if (spec == null || spec.equals("default")) return BUNDLED_RESOURCE;
        if (spec.equals("windows")) return BUNDLED_WINDOWS_RESOURCE;
        if (spec.startsWith("classpath:")) return spec.substring("classpath:".length());
        return null;
    }

    /** Writes the model atomically: a reader or a crash sees the old file or the new one, never a mix. */
    public void save(Path file) throws IOException {
        save(file, ModelFile.Precision.FLOAT32);
    }

    /** {@link #save(Path)} with the weights stored at {@code precision}. */
    public void save(Path file, ModelFile.Precision precision) throws IOException {
        byte[] bytes = ModelFile.encode(contents(), precision);
        AtomicFile.write(file, out -> out.write(bytes));
    }

    /** Everything {@link #save} writes: labels, features, architecture, provenance and the current weights. */
    public ModelFile.Contents contents() {
        return new ModelFile.Contents(labels, features, architecture, clipSamples, provenance, gru.parameters(), storedAs);
    }

    /**
     * How spotters on this model read its weights: INT8 when the model came from an INT8 file (its weights are int8
     * already, and a spotter reading them as such runs about twice as fast), FLOAT32 otherwise. See {@link GruStream.Weights}.
     */
    public GruStream.Weights streamWeights() {
        return storedAs == ModelFile.Precision.INT8 ? GruStream.Weights.INT8 : GruStream.Weights.FLOAT32;
    }

    /**
     * The classes, in the order of the model's outputs (as Earshot trains them: {@link #SILENCE}, {@link #UNKNOWN},
     * then the commands).
     */
    public List<String> labels() {
        return labels;
    }

    /** The MFCC settings the model was trained on, with the feature normalization. */
    public FeatureSettings features() {
        return features;
    }

    /** The GRU's shape: features in, hidden units, layers, classes out. */
    public GruConfig architecture() {
        return architecture;
    }

    /** The clip length the model was trained on, in samples at {@link FeatureSettings#sampleRate()}. */
    public int clipSamples() {
        return clipSamples;
    }

    /** How the model was made: data, seed, settings, metrics. */
    public Map<String, String> provenance() {
        return provenance;
    }

    /** The audio rate the model takes, in Hz; a {@link Spotter} resamples other rates to it. */
    public int sampleRate() {
        return features.sampleRate();
    }

    /** The shared MFCC front end (thread-safe). */
    public Mfcc mfcc() {
        return mfcc;
    }

    /** The GRU, for streams in this package and for the trainer. */
    public GruModel gru() {
        return gru;
    }

    /** Features of one clip, padded with silence or cut to {@link #clipSamples()}: [frames × coefficients]. */
    public float[] clipFeatures(float[] pcm) {
        float[] clip = pcm.length == clipSamples ? pcm : Arrays.copyOf(pcm, clipSamples);
        int frames = mfcc.frameCount(clipSamples);
        float[] out = new float[frames * mfcc.coefficients()];
        mfcc.compute(clip, 0, clipSamples, out, 0);
        return out;
    }

    /** Feature frames in one clip of {@link #clipSamples()}. */
    public int clipFrames() {
        return mfcc.frameCount(clipSamples);
    }

    /**
     * The detection settings tuned for this model and stored in its file ({@code earshot tune-detection}), or
     * {@link DetectionSettings#defaults()} if it stores none. {@link Spotter#Spotter(KeywordModel, SpotterListener)}
     * uses them.
     */
    public DetectionSettings detectionSettings() {
        return detectionSettings;
    }

    /** Whether the model was trained to run continuously on a stream (see {@link #STREAMING_KEY}). */
    public boolean continuous() {
        return CONTINUOUS.equals(provenance.get(STREAMING_KEY));
    }

    /**
     * All labels by confidence, best first, for PCM at the model's rate. A clip shorter than
     * {@link #clipSamples()} is padded with silence; a longer one is scanned in clip-length windows every
     * tenth of a clip and the window most confident in a keyword speaks for it.
     */
    public List<Prediction> classify(float[] pcm) {
        if (pcm == null) throw new NullPointerException("pcm");
        int hop = Math.max(1, clipSamples / 10);
        int windows = pcm.length <= clipSamples ? 1 : 1 + (pcm.length - clipSamples + hop - 1) / hop;
        int frames = clipFrames(), coef = mfcc.coefficients();
        float[] x = new float[windows * frames * coef];
        for (int w = 0; w < windows; w++) {
            int start = Math.min(w * hop, Math.max(0, pcm.length - clipSamples));
            float[] clip = Arrays.copyOfRange(pcm, start, start + clipSamples);  // zero-padded past the end
            mfcc.compute(clip, 0, clipSamples, x, w * frames * coef);
        }
        float[] logits = new float[windows * labels.size()];
        gru.infer(x, windows, frames, logits);
        int best = 0;
        float bestKeyword = -1;
        for (int w = 0; w < windows; w++) {
            softmaxInPlace(logits, w * labels.size(), labels.size());
            for (int k = 0; k < labels.size(); k++) {
                if (isKeyword(k) && logits[w * labels.size() + k] > bestKeyword) {
                    bestKeyword = logits[w * labels.size() + k];
                    best = w;
                }
            }
        }
        List<Prediction> out = new ArrayList<>(labels.size());
        for (int k = 0; k < labels.size(); k++) out.add(new Prediction(labels.get(k), logits[best * labels.size() + k]));
        out.sort(Comparator.comparingDouble(Prediction::confidence).reversed());
        return out;
    }

    /** Classifies a decoded clip, resampling it to the model's rate if needed. */
    public List<Prediction> classify(AudioClip clip) {
        AudioClip c = clip.sampleRate() == sampleRate() ? clip : clip.resampledTo(sampleRate());
        return classify(c.samples());
    }

    /** Reads and classifies a WAV file; unreadable files get an IOException naming them. */
    public List<Prediction> classify(Path wav) throws IOException {
        return classify(WavReader.read(wav, sampleRate()));
    }

    /** True for a command word, false for {@value #SILENCE} and {@value #UNKNOWN}. */
    public boolean isKeyword(int label) {
        String l = labels.get(label);
        return !l.equals(SILENCE) && !l.equals(UNKNOWN);
    }

    /** True when {@code label} is one of this model's command words (not silence, unknown, or another word). */
    public boolean isKeyword(String label) {
        int k = labels.indexOf(label);
        return k >= 0 && isKeyword(k);
    }

    static void softmaxInPlace(float[] z, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, z[off + i]);
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double e = Math.exp(z[off + i] - max);
            z[off + i] = (float) e;
            sum += e;
        }
        for (int i = 0; i < n; i++) z[off + i] = (float) (z[off + i] / sum);
    }

    @Override
    public void close() {
        gru.close();
    }

    @Override
    public String toString() {
        return "KeywordModel" + labels + " " + architecture + " " + features;
    }
}

package dev.earshot.datasets;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A Speech Commands-shaped directory (v0.01, v0.02, the official test archives, or any set laid out the same
 * way): {@code <word>/<speaker>_nohash_<n>.wav}, optionally {@code _silence_/}, {@code _background_noise_/},
 * {@code validation_list.txt} and {@code testing_list.txt}.
 *
 * <p>Every sub-folder except {@code _background_noise_} and hidden ones is a word (its name lower-cased, as
 * TensorFlow's {@code prepare_data_index} does); its {@code .wav} files are clips. Everything else (README,
 * LICENSE, MANIFEST.tsv, .DS_Store, non-WAV files in word folders) is ignored. A word folder without a single
 * clip is an error naming the folder: it is a broken copy, and silently dropping a word would change the
 * labels. Clips are listed in a stable order (word, then file name). Audio is not read here.
 */
public final class SpeechCommandsDataset {
    /** TensorFlow's folder of long noise recordings, used for augmentation and silence; never a clip. */
    public static final String BACKGROUND_NOISE_DIR = "_background_noise_";
    public static final String VALIDATION_LIST = "validation_list.txt";
    public static final String TESTING_LIST = "testing_list.txt";

    private final Path root;
    private final List<Clip> clips;
    private final List<Path> backgroundNoise;

    private SpeechCommandsDataset(Path root, List<Clip> clips, List<Path> backgroundNoise) {
        this.root = root;
        this.clips = Collections.unmodifiableList(clips);
        this.backgroundNoise = Collections.unmodifiableList(backgroundNoise);
    }

    /**
     * Scans {@code dir}.
     *
     * @throws IOException naming the directory or folder when {@code dir} is missing, holds no clips at all,
     *                     or has a word folder without clips
     */
    public static SpeechCommandsDataset open(Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.exists(root)) throw new NoSuchFileException(dir.toString(), null, "no such dataset directory");
        if (!Files.isDirectory(root)) throw new NotDirectoryException(dir + ": not a directory (want a Speech Commands folder)");
        List<Path> folders = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (Files.isDirectory(p) && !name.startsWith(".") && !name.equals("__MACOSX")) folders.add(p);
            }
        }
        Collections.sort(folders);
        List<Clip> clips = new ArrayList<>();
        List<Path> noise = new ArrayList<>();
        for (Path folder : folders) {
            String name = folder.getFileName().toString();
            List<Path> wavs = wavFiles(folder);
            if (name.equals(BACKGROUND_NOISE_DIR)) {
                noise.addAll(wavs);
                continue;
            }
            if (wavs.isEmpty()) {
                throw new IOException(folder + ": folder has no .wav clips (a word folder must hold "
                        + "<speaker>_nohash_<n>.wav files; remove the folder or restore its clips)");
            }
            String word = name.toLowerCase(Locale.ROOT);
            for (Path wav : wavs) {
                String file = wav.getFileName().toString();
                clips.add(new Clip(wav, name + "/" + file, word, Clip.speakerOf(file)));
            }
        }
        if (clips.isEmpty()) {
            throw new IOException(dir + ": no Speech Commands clips found (want <word>/<speaker>_nohash_<n>.wav "
                    + "folders; is this the unpacked dataset directory?)");
        }
        return new SpeechCommandsDataset(root, clips, noise);
    }

    /**
     * The clips a manifest lists ({@link Manifest}: a TSV or CSV file with {@code path} and {@code label} columns, and
     * {@code speaker} where known, else the speaker is read from the file name as in Speech Commands). Each clip is
     * {@code <label>/<file name>} for validation lists; rows labelled {@value #BACKGROUND_NOISE_DIR} are background
     * noise. Paths must be local files (a URI is refused: training reads with java.nio). Audio is not read here.
     */
    public static SpeechCommandsDataset fromManifest(Path manifest) throws IOException {
        List<Manifest.Entry> entries = Manifest.read(manifest);
        for (Manifest.Entry e : entries) {
            if (e.path().contains("://")) {
                throw new IOException(manifest + ": " + e.path() + ": training reads local files (or a shared folder), "
                        + "not URIs");
            }
        }
        return of(manifest.toAbsolutePath().normalize(), entries, manifest.toString());
    }

    /**
     * The clips of labelled entries whose audio is not read here, e.g. the rows of a featurized table, which hold the
     * frames: any path, a URI too; {@code _background_noise_} entries are left out (a table holds a clip's frames
     * of them, not their audio).
     *
     * @param root where they are listed (the dataset's name)
     */
    public static SpeechCommandsDataset ofFeaturized(Path root, List<Manifest.Entry> entries) throws IOException {
        return of(root, entries.stream().filter(e -> !BACKGROUND_NOISE_DIR.equals(e.label())).toList(), root.toString());
    }

    private static SpeechCommandsDataset of(Path root, List<Manifest.Entry> entries, String where) throws IOException {
        List<Clip> clips = new ArrayList<>();
        List<Path> noise = new ArrayList<>();
        for (Manifest.Entry e : entries) {
            if (e.label() == null) {
                throw new IOException(where + ": " + e.path() + " has no label (training needs a 'label' column)");
            }
            Path file = Path.of(e.path());
            if (e.label().equals(BACKGROUND_NOISE_DIR)) {
                noise.add(file);
                continue;
            }
            String name = file.getFileName().toString();
            clips.add(new Clip(file, e.label() + "/" + name, e.label().toLowerCase(Locale.ROOT),
                    e.speaker() != null ? e.speaker() : Clip.speakerOf(name)));
        }
        if (clips.isEmpty()) throw new IOException(where + ": lists no clips" + (noise.isEmpty() ? "" : ", only background noise"));
        clips.sort(java.util.Comparator.comparing(Clip::word).thenComparing(Clip::relativePath));
        return new SpeechCommandsDataset(root, clips, noise);
    }

    /** A Speech Commands-shaped folder ({@link #open}) or a manifest file ({@link #fromManifest}). */
    public static SpeechCommandsDataset openFolderOrManifest(Path path) throws IOException {
        return Files.isRegularFile(path) ? fromManifest(path) : open(path);
    }

    private static List<Path> wavFiles(Path folder) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".") && n.toLowerCase(Locale.ROOT).endsWith(".wav") && Files.isRegularFile(p)) out.add(p);
            }
        }
        Collections.sort(out);
        return out;
    }

    /** The dataset directory (absolute). */
    public Path root() { return root; }

    /** Every clip, silence folder included, background noise excluded; sorted by word then file name. */
    public List<Clip> clips() { return clips; }

    /** The {@code .wav} files of {@code _background_noise_} (empty when there is no such folder). */
    public List<Path> backgroundNoiseFiles() { return backgroundNoise; }

    /** The words present (folder names lower-cased; {@code _silence_} included when present), sorted. */
    public List<String> words() {
        TreeSet<String> s = new TreeSet<>();
        for (Clip c : clips) s.add(c.word());
        return List.copyOf(s);
    }

    /** Clip count per word, sorted by word. */
    public Map<String, Integer> clipsPerWord() {
        Map<String, Integer> m = new TreeMap<>();
        for (Clip c : clips) m.merge(c.word(), 1, Integer::sum);
        return m;
    }

    /** Distinct speaker ids of the word clips (silence clips excluded), sorted. */
    public List<String> speakers() {
        TreeSet<String> s = new TreeSet<>();
        for (Clip c : clips) if (!c.isSilence()) s.add(c.speaker());
        return List.copyOf(s);
    }

    /** Whether both {@code validation_list.txt} and {@code testing_list.txt} are present. */
    public boolean hasSplitLists() {
        return Files.isRegularFile(root.resolve(VALIDATION_LIST)) && Files.isRegularFile(root.resolve(TESTING_LIST));
    }

    /**
     * The release whose vocabulary this dataset's words fit in: v0.01 if every word is one of its 30, else
     * v0.02 if every word is one of its 35, else null (a custom set).
     */
    public SpeechCommandsVersion guessVersion() {
        List<String> w = new ArrayList<>(words());
        w.remove(LabelSet.SILENCE);
        if (SpeechCommandsVersion.V0_01.words().containsAll(w)) return SpeechCommandsVersion.V0_01;
        if (SpeechCommandsVersion.V0_02.words().containsAll(w)) return SpeechCommandsVersion.V0_02;
        return null;
    }

    @Override
    public String toString() {
        return root + " (" + clips.size() + " clips, " + words().size() + " words)";
    }
}

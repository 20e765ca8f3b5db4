package dev.earshot.datasets;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One recording of a dataset: {@code <word>/<speaker>_nohash_<n>.wav}.
 *
 * @param file         the file on disk
 * @param relativePath {@code word/name.wav} with a forward slash, as {@code validation_list.txt} names it
 * @param word         the folder's name, lower-cased ({@code _silence_} for silence clips)
 * @param speaker      the part of the file name before {@code _nohash_} (the whole name without
 *                     {@code .wav} when there is none)
 */
public record Clip(Path file, String relativePath, String word, String speaker) {
    /** Marker TensorFlow's hashing rule splits file names on. */
    public static final String NOHASH = "_nohash_";

    public Clip {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(relativePath, "relativePath");
        Objects.requireNonNull(word, "word");
        Objects.requireNonNull(speaker, "speaker");
    }

    /** Whether this clip sits in the dataset's {@code _silence_} folder. */
    public boolean isSilence() {
        return LabelSet.SILENCE.equals(word);
    }

    /** The file name without its folder. */
    public String fileName() {
        int slash = relativePath.lastIndexOf('/');
        return relativePath.substring(slash + 1);
    }

    /** The speaker id of a file name: the part before {@code _nohash_}, else the name less {@code .wav}. */
    public static String speakerOf(String fileName) {
        int i = fileName.indexOf(NOHASH);
        if (i >= 0) return fileName.substring(0, i);
        return fileName.toLowerCase(java.util.Locale.ROOT).endsWith(".wav") ? fileName.substring(0, fileName.length() - 4) : fileName;
    }
}

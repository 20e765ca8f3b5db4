package dev.earshot.datasets;

import java.util.List;

/**
 * The two releases of Google's Speech Commands (Warden 2018, arXiv:1804.03209, CC BY 4.0): their words and
 * official archive.
 *
 * <p>The SHA-256 checksums are torchaudio's ({@code torchaudio/datasets/speechcommands.py}, {@code _CHECKSUMS},
 * pytorch/audio; the same values as TensorFlow Datasets' {@code speech_commands/checksums.tsv}).
 */
public enum SpeechCommandsVersion {
    /** v0.01 (2017): 30 words, 64,727 clips. */
    V0_01("v0.01", "speech_commands_v0.01.tar.gz",
            "743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d",
            List.of("bed", "bird", "cat", "dog", "down", "eight", "five", "four", "go", "happy", "house", "left",
                    "marvin", "nine", "no", "off", "on", "one", "right", "seven", "sheila", "six", "stop", "three",
                    "tree", "two", "up", "wow", "yes", "zero")),
    /** v0.02 (2018): 35 words (v0.01's plus backward, follow, forward, learn, visual), 105,829 clips. */
    V0_02("v0.02", "speech_commands_v0.02.tar.gz",
            "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58",
            List.of("backward", "bed", "bird", "cat", "dog", "down", "eight", "five", "follow", "forward", "four",
                    "go", "happy", "house", "learn", "left", "marvin", "nine", "no", "off", "on", "one", "right",
                    "seven", "sheila", "six", "stop", "three", "tree", "two", "up", "visual", "wow", "yes", "zero"));

    /** Where the official archives are served (TensorFlow's and torchaudio's URL, over https). */
    public static final String OFFICIAL_BASE_URL = "https://download.tensorflow.org/data/";

    private final String tag;
    private final String archiveName;
    private final String sha256;
    private final List<String> words;

    SpeechCommandsVersion(String tag, String archiveName, String sha256, List<String> words) {
        this.tag = tag;
        this.archiveName = archiveName;
        this.sha256 = sha256;
        this.words = words;
    }

    /** {@code "v0.01"} or {@code "v0.02"}. */
    public String tag() { return tag; }

    /** File name of the official archive, e.g. {@code speech_commands_v0.02.tar.gz}. */
    public String archiveName() { return archiveName; }

    /** Directory name the archive is unpacked to, e.g. {@code speech_commands_v0.02}. */
    public String directoryName() { return archiveName.substring(0, archiveName.length() - ".tar.gz".length()); }

    /** Lower-case hex SHA-256 of the official archive. */
    public String sha256() { return sha256; }

    /** The release's words, sorted. */
    public List<String> words() { return words; }

    /** Parses {@code v0.01}, {@code 0.01}, {@code v1}, {@code v0.02}, {@code 0.02}, {@code v2}. */
    public static SpeechCommandsVersion parse(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        switch (t) {
            case "v0.01": case "0.01": case "v1": case "1": return V0_01;
            case "v0.02": case "0.02": case "v2": case "2": return V0_02;
            default: throw new IllegalArgumentException("unknown Speech Commands version '" + s + "' (want v0.01 or v0.02)");
        }
    }
}

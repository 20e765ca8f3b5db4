package dev.earshot.audio;

import java.io.IOException;

/**
 * A file that cannot be read as supported WAV audio. The message names the file and the problem, e.g.
 * {@code "clip.wav: unsupported codec: format tag 0x0002 (Microsoft ADPCM)"}.
 */
public class WavFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final String source;
    private final String problem;

    /** @param source the file's name as given; @param problem what is wrong, without the name */
    public WavFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
        this.problem = problem;
    }

    /** The file's name as given to the reader. */
    public String source() {
        return source;
    }

    /** What is wrong, without the file name. */
    public String problem() {
        return problem;
    }
}

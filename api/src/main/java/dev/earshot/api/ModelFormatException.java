package dev.earshot.api;

import java.io.IOException;

/** A model file that cannot be used: not an Earshot model, truncated, damaged, or of an unknown version. */
public final class ModelFormatException extends IOException {
    public ModelFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}

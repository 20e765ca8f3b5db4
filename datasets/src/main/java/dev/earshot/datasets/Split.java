package dev.earshot.datasets;

/** A partition of a dataset, named as TensorFlow's {@code which_set} returns it. */
public enum Split {
    TRAINING("training"), VALIDATION("validation"), TESTING("testing");

    private final String tfName;

    Split(String tfName) {
        this.tfName = tfName;
    }

    /** {@code "training"}, {@code "validation"} or {@code "testing"}. */
    public String tfName() {
        return tfName;
    }

    /** Parses a {@link #tfName()} (case-insensitive). */
    public static Split parse(String s) {
        for (Split sp : values()) if (sp.tfName.equalsIgnoreCase(s.trim())) return sp;
        throw new IllegalArgumentException("unknown split '" + s + "' (want training, validation or testing)");
    }
}

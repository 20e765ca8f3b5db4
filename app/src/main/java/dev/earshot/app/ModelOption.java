package dev.earshot.app;

import dev.earshot.api.KeywordModel;
import java.io.IOException;
import picocli.CommandLine.Option;

/** The {@code --model} option of every command that runs a model: a {@code .earshot} file or a bundled model's name. */
final class ModelOption {
    @Option(names = "--model", defaultValue = "default", paramLabel = "MODEL",
            description = "a .earshot file, classpath:/RESOURCE, or a bundled model: default or windows (default: ${DEFAULT-VALUE})")
    String spec;

    KeywordModel open() throws IOException {
        return KeywordModel.open(spec);
    }

    @Override
    public String toString() {
        return spec;
    }
}

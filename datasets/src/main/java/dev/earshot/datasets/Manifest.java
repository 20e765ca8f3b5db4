package dev.earshot.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A list of audio files as a TSV or CSV file (by its extension; .tsv or .txt is tab-separated, .csv
 * comma-separated) whose header names at least {@code path}, and where known {@code label} and {@code speaker};
 * other columns are ignored. A relative path is relative to the manifest's folder; a path with a scheme
 * ({@code hdfs://…}) is kept as it is. CSV fields may be quoted ("a, b"), with "" for a quote inside.
 */
public final class Manifest {
    /** One file: its path (absolute, or a URI), and its label and speaker or null. */
    public record Entry(String path, String label, String speaker) implements java.io.Serializable {}

    private Manifest() {}

    public static List<Entry> read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        char sep = name.endsWith(".csv") ? ',' : '\t';
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int first = 0;
        while (first < lines.size() && lines.get(first).isBlank()) first++;
        if (first == lines.size()) throw new IOException(file + ": empty (a manifest's first line names its columns: path, label, speaker)");
        List<String> header = split(lines.get(first).replace("\uFEFF", ""), sep, file, first + 1);
        int path = column(header, "path"), label = column(header, "label"), speaker = column(header, "speaker");
        if (path < 0) {
            throw new IOException(file + ": the header (" + String.join(sep == ',' ? "," : " TAB ", header)
                    + ") has no 'path' column" + (sep == '\t' && header.size() == 1 && header.get(0).contains(",")
                    ? " (a comma-separated file must end in .csv)" : ""));
        }
        Path dir = file.toAbsolutePath().getParent();
        List<Entry> out = new ArrayList<>();
        for (int i = first + 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) continue;
            List<String> f = split(lines.get(i), sep, file, i + 1);
            if (f.size() != header.size()) {
                throw new IOException(file + ":" + (i + 1) + ": " + f.size() + " fields, the header has " + header.size());
            }
            String p = f.get(path).trim();
            if (p.isEmpty()) throw new IOException(file + ":" + (i + 1) + ": an empty path");
            if (!p.contains("://")) p = dir.resolve(p).normalize().toString();
            out.add(new Entry(p, label < 0 || f.get(label).isBlank() ? null : f.get(label).trim(),
                    speaker < 0 || f.get(speaker).isBlank() ? null : f.get(speaker).trim()));
        }
        if (out.isEmpty()) throw new IOException(file + ": no files listed under its header");
        return out;
    }

    private static int column(List<String> header, String name) {
        for (int i = 0; i < header.size(); i++) if (header.get(i).trim().equalsIgnoreCase(name)) return i;
        return -1;
    }

    static List<String> split(String line, char sep, Path file, int lineNo) throws IOException {
        List<String> out = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    f.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    f.append(c);
                }
            } else if (c == '"' && f.toString().isBlank()) {
                quoted = true;
                f.setLength(0);
            } else if (c == sep) {
                out.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        if (quoted) throw new IOException(file + ":" + lineNo + ": a quote is not closed");
        out.add(f.toString());
        return out;
    }
}

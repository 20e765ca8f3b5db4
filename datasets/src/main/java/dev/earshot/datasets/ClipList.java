package dev.earshot.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/**
 * A list of clips, one {@code word/file.wav} per line, as in {@code validation_list.txt}: read with a size
 * limit and strict UTF-8, so a huge, binary or garbled file gets an error naming it rather than an
 * OutOfMemoryError or a silently wrong split.
 */
public final class ClipList {
    /** The official lists are about 300 KB; anything past this is not a clip list. */
    public static final long MAX_BYTES = 64L << 20;

    private ClipList() {}

    /**
     * The clips listed in {@code file}: lines trimmed, backslashes made slashes, a leading {@code ./} dropped;
     * blank lines and {@code #} comments skipped.
     *
     * @throws IOException naming the file when it is missing, too large, or not UTF-8 text
     */
    public static Set<String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new IOException(file + ": clip list is missing");
        long size = Files.size(file);
        if (size > MAX_BYTES) throw new IOException(file + ": " + size + " bytes is too large for a clip list");
        byte[] bytes = Files.readAllBytes(file);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException(file + ": not a UTF-8 text file (a clip list has one word/file.wav per line)");
        }
        if (text.indexOf('\0') >= 0) throw new IOException(file + ": binary data, not a clip list");
        Set<String> out = new HashSet<>();
        for (String line : text.split("\r?\n|\r")) {
            String t = line.trim().replace('\\', '/');
            while (t.startsWith("./")) t = t.substring(2);
            if (!t.isEmpty() && !t.startsWith("#")) out.add(t);
        }
        return out;
    }
}

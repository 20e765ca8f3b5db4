package dev.earshot.datasets;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes mono 16-bit PCM WAV files (the Speech Commands format), atomically: temp file, then rename. */
public final class Pcm16Wav {
    private Pcm16Wav() {
    }

    /** The bytes of a canonical 44-byte-header mono 16-bit WAV; samples are clamped to [-1, 1] and rounded. */
    public static byte[] encode(float[] samples, int sampleRate) {
        int dataBytes = samples.length * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[]{'R', 'I', 'F', 'F'}).putInt(36 + dataBytes).put(new byte[]{'W', 'A', 'V', 'E'});
        b.put(new byte[]{'f', 'm', 't', ' '}).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.put(new byte[]{'d', 'a', 't', 'a'}).putInt(dataBytes);
        for (float s : samples) {
            float c = s > 1f ? 1f : s < -1f ? -1f : (Float.isNaN(s) ? 0f : s);
            b.putShort((short) Math.max(-32768, Math.min(32767, Math.round(c * 32768f))));
        }
        return b.array();
    }

    /** Writes {@code samples} to {@code file} (parent folders created) through a temporary file and an atomic move. */
    public static void write(Path file, float[] samples, int sampleRate) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, encode(samples, sampleRate));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}

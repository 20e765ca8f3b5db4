package dev.earshot.api;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that readers, and a crash at any moment, only ever see the old complete file or the
 * new complete file: the bytes go to a temporary file beside the target, are forced to disk, and the
 * temporary file is renamed over the target in one atomic step.
 */
public final class AtomicFile {
    /** Writes the content into the stream it is given. */
    @FunctionalInterface
    public interface Writer {
        /** Writes everything to {@code out}; the file appears only if this returns normally. */
        void write(OutputStream out) throws IOException;
    }

    private AtomicFile() {}

    /**
     * Writes {@code target} through a temporary file in the same folder, synced and then renamed over it, so a
     * reader sees the old file or the whole new one, never a part (and a crash leaves the old one).
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            keepOrShare(tmp, abs);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                 OutputStream out = new java.io.BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                writer.write(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + abs + " atomically on this file system", e);
            }
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Temporary files are created owner-only; give the result the target's old permissions, or rw-r--r-- for a
     * new file, as a plain write would (with a usual umask).
     */
    private static void keepOrShare(Path tmp, Path target) throws IOException {
        if (!tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) return;
        java.util.Set<java.nio.file.attribute.PosixFilePermission> perms = Files.exists(target)
                ? Files.getPosixFilePermissions(target)
                : java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, perms);
    }

    /** Makes the rename itself durable; not every platform lets a directory be opened, so it is best effort. */
    private static void forceDirectory(Path dir) {
        if (dir == null) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // The data itself is on disk; only the directory entry's durability is platform-dependent.
        }
    }
}

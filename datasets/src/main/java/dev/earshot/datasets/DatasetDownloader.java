package dev.earshot.datasets;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Fetches a Speech Commands archive, checks its SHA-256 and unpacks it safely.
 *
 * <p>{@code download(url, sha256, toDir, name)}:
 * <ol>
 *   <li>if {@code toDir/name} exists, it is the finished dataset: nothing is done;</li>
 *   <li>the archive is fetched to {@code toDir/<archive>.part}, resuming a previous partial download with an
 *       HTTP Range request (a server that ignores it restarts the file), progress on the given stream;</li>
 *   <li>its SHA-256 must equal the expected one, else the part file is deleted and the error names both
 *       checksums; it is then renamed to {@code toDir/<archive>} (atomic move);</li>
 *   <li>it is unpacked into a hidden staging folder beside the target, refusing absolute paths, {@code ..}
 *       segments, links and device entries; only when everything is unpacked is the folder renamed to
 *       {@code toDir/name}, so a failure never leaves a partial tree;</li>
 *   <li>the archive is deleted unless asked to keep it.</li>
 * </ol>
 */
public final class DatasetDownloader {
    private final HttpClient http;
    private final PrintStream progress;
    private final boolean live;
    private final boolean keepArchive;

    /**
     * @param progress    where progress lines go (stderr for the command line; null for none)
     * @param keepArchive keep the verified .tar.gz after unpacking
     */
    public DatasetDownloader(PrintStream progress, boolean keepArchive) {
        this(progress, false, keepArchive);
    }

    /**
     * @param live whether {@code progress} is a terminal: one line redrawn in place every second; otherwise a
     *             plain line every ten seconds, with no carriage returns in a log
     */
    public DatasetDownloader(PrintStream progress, boolean live, boolean keepArchive) {
        this.live = live;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(30)).build();
        this.progress = progress;
        this.keepArchive = keepArchive;
    }

    /** The official archive of {@code version} from {@code baseUrl} (normally {@link SpeechCommandsVersion#OFFICIAL_BASE_URL}). */
    public Path download(SpeechCommandsVersion version, String baseUrl, Path toDir) throws IOException {
        String base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
        return download(URI.create(base + version.archiveName()), version.sha256(), toDir, version.directoryName());
    }

    /**
     * Downloads {@code url} (a .tar.gz), checks it against {@code sha256} and unpacks it to {@code toDir/name}.
     *
     * @return the unpacked dataset directory
     * @throws IOException naming the URL or archive: HTTP errors, a checksum mismatch (nothing is unpacked and
     *                     the download is deleted), an unsafe or corrupt archive (nothing is left behind)
     */
    public Path download(URI url, String sha256, Path toDir, String name) throws IOException {
        if (!sha256.matches("[0-9a-fA-F]{64}")) throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new IllegalArgumentException("bad dataset folder name: " + name);
        }
        if (Files.exists(toDir) && !Files.isDirectory(toDir)) {
            throw new java.nio.file.FileAlreadyExistsException(toDir.toString(), null, "a file is there, not a folder");
        }
        boolean created = !Files.exists(toDir);
        Files.createDirectories(toDir);
        try {
            return fetchAndUnpack(url, sha256, toDir, name);
        } catch (IOException | RuntimeException e) {
            // Nothing to resume from: leave no empty part file or folder behind.
            String fileName = url.getPath().substring(url.getPath().lastIndexOf('/') + 1);
            Path part = toDir.resolve((fileName.isEmpty() ? name + ".tar.gz" : fileName) + ".part");
            if (Files.isRegularFile(part) && Files.size(part) == 0) Files.deleteIfExists(part);
            if (created) {
                try (var left = Files.list(toDir)) {
                    if (left.findAny().isEmpty()) Files.deleteIfExists(toDir);
                }
            }
            throw e;
        }
    }

    private Path fetchAndUnpack(URI url, String sha256, Path toDir, String name) throws IOException {
        Path target = toDir.resolve(name);
        if (Files.exists(target)) {
            say("earshot: " + target + " already exists; nothing to download");
            return target;
        }
        String fileName = url.getPath().substring(url.getPath().lastIndexOf('/') + 1);
        if (fileName.isEmpty()) fileName = name + ".tar.gz";
        Path archive = toDir.resolve(fileName);
        Path part = toDir.resolve(fileName + ".part");
        if (Files.exists(archive)) {
            String have = sha256Of(archive);
            if (!have.equalsIgnoreCase(sha256)) {
                say("earshot: " + archive + " has SHA-256 " + have + ", not " + sha256 + "; downloading it again");
                Files.delete(archive);
            }
        }
        if (!Files.exists(archive)) {
            fetch(url, part);
            String got = sha256Of(part);
            if (!got.equalsIgnoreCase(sha256)) {
                Files.deleteIfExists(part);
                throw new IOException(url + ": SHA-256 mismatch: expected " + sha256.toLowerCase(Locale.ROOT) + ", got " + got
                        + " (the download was deleted; nothing was unpacked)");
            }
            Files.move(part, archive, StandardCopyOption.ATOMIC_MOVE);
        }
        say("earshot: SHA-256 verified; unpacking " + archive);
        // Staging folders of an earlier run that was killed mid-unpack are debris: remove them first.
        try (var old = Files.newDirectoryStream(toDir, "." + name + ".unpacking-*")) {
            for (Path p : old) deleteTree(p);
        }
        Path staging = Files.createTempDirectory(toDir, "." + name + ".unpacking-");
        try {
            extractTarGz(archive, staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(staging);
            throw e;
        }
        if (!keepArchive) Files.deleteIfExists(archive);
        say("earshot: dataset ready in " + target);
        return target;
    }

    private void fetch(URI url, Path part) throws IOException {
        long have = Files.exists(part) ? Files.size(part) : 0;
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(Duration.ofMinutes(10)).GET();
        if (have > 0) req.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(url + ": interrupted", e);
        } catch (IOException e) {
            throw new IOException(url + ": " + connectionProblem(url, e), e);
        }
        int code = resp.statusCode();
        boolean append;
        if (code == 206 && have > 0) {
            append = true;
            say("earshot: resuming " + url + " at byte " + have);
        } else if (code == 200) {
            append = false;
            have = 0;
        } else if (code == 416 && have > 0) {
            resp.body().close();
            return; // the part file already holds everything; the checksum decides
        } else {
            resp.body().close();
            throw new IOException(url + ": HTTP " + code + " (download failed)");
        }
        long length = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
        long total = length < 0 ? -1 : have + length;
        long done = have;
        long lastReport = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = resp.body();
             OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                out.write(buf, 0, r);
                done += r;
                long now = System.nanoTime();
                if (progress != null && now - lastReport > (live ? 1_000_000_000L : 10_000_000_000L)) {
                    lastReport = now;
                    String line = total > 0
                            ? String.format(Locale.ROOT, "downloading %s: %5.1f%% (%d / %d MB)", url, 100.0 * done / total, done >> 20, total >> 20)
                            : String.format(Locale.ROOT, "downloading %s: %d MB", url, done >> 20);
                    if (live) progress.print("\r" + line);
                    else progress.println(line);
                    progress.flush();
                }
            }
        } catch (IOException e) {
            throw new IOException(url + ": download interrupted after " + done + " bytes (run again to resume): " + e.getMessage(), e);
        }
        if (total > 0 && done != total) {
            throw new IOException(url + ": connection closed after " + done + " of " + total + " bytes (run again to resume)");
        }
        if (progress != null) {
            if (live && lastReport != 0) progress.println(); // end the \r progress line
            progress.printf(Locale.ROOT, "downloaded %s: %d bytes%n", url, done);
        }
    }

    /**
     * What a failed request means, in words (the exceptions of {@link HttpClient} often carry no message, and their
     * class names mean nothing to a user).
     */
    static String connectionProblem(URI url, IOException e) {
        String host = url.getHost();
        for (Throwable t = e; t != null; t = t.getCause()) {  // a name that does not resolve, wrapped or not
            if (t instanceof java.net.UnknownHostException || t instanceof java.nio.channels.UnresolvedAddressException) {
                return "could not reach " + host + ": the name does not resolve (no network connection, or a wrong "
                        + "--base-url)";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.http.HttpConnectTimeoutException) {
                return "could not reach " + host + " in time (no network connection, or a firewall)";
            }
            if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException) {
                return "could not reach " + host + " (no network connection, or nothing serving on its port)";
            }
            if (t instanceof java.net.http.HttpTimeoutException) return host + " stopped answering (timed out)";
            if (t instanceof javax.net.ssl.SSLException) {
                return "no secure connection to " + host + (t.getMessage() == null ? "" : ": " + t.getMessage());
            }
        }
        return "download failed: " + (e.getMessage() == null || e.getMessage().isBlank() ? "the connection failed"
                : e.getMessage());
    }

    /** Hex SHA-256 of a file. */
    public static String sha256Of(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = new DigestInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16), md)) {
            byte[] buf = new byte[1 << 16];
            while (in.read(buf) >= 0) {
                // reading feeds the digest
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Unpacks a .tar.gz into {@code dir} (which must exist), refusing entries that would land outside it
     * (absolute paths, {@code ..}), symbolic and hard links, and device or FIFO entries.
     *
     * @throws IOException naming the archive and entry
     */
    public static void extractTarGz(Path archive, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (InputStream f = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
             GzipCompressorInputStream gz = new GzipCompressorInputStream(f, true);
             TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
            TarArchiveEntry e;
            int files = 0;
            while ((e = tar.getNextEntry()) != null) {
                String n = e.getName();
                String rel = n;
                while (rel.startsWith("./")) rel = rel.substring(2);
                if (rel.isEmpty() || rel.equals(".")) continue;
                if (n.startsWith("/") || n.contains("\\") || n.matches("^[A-Za-z]:.*")) {
                    throw new IOException(archive + ": unsafe entry '" + n + "' (absolute path); refusing to unpack");
                }
                for (String seg : rel.split("/")) {
                    if (seg.equals("..")) throw new IOException(archive + ": unsafe entry '" + n + "' ('..' in path); refusing to unpack");
                }
                Path dest = root.resolve(rel).normalize();
                if (!dest.startsWith(root) || dest.equals(root)) {
                    throw new IOException(archive + ": unsafe entry '" + n + "' (outside the target); refusing to unpack");
                }
                if (e.isSymbolicLink() || e.isLink()) {
                    throw new IOException(archive + ": entry '" + n + "' is a link (to '" + e.getLinkName() + "'); refusing to unpack");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(dest);
                } else if (e.isFile()) {
                    Files.createDirectories(dest.getParent());
                    if (Files.isSymbolicLink(dest.getParent())) throw new IOException(archive + ": entry '" + n + "' goes through a link");
                    Files.copy(tar, dest, StandardCopyOption.REPLACE_EXISTING);
                    files++;
                } else {
                    throw new IOException(archive + ": entry '" + n + "' is not a regular file or directory; refusing to unpack");
                }
            }
            if (files == 0) throw new IOException(archive + ": archive holds no files");
        } catch (IOException ex) {
            if (ex.getMessage() != null && ex.getMessage().startsWith(archive.toString())) throw ex;
            throw new IOException(archive + ": not a valid .tar.gz archive: " + ex.getMessage(), ex);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private void say(String line) {
        if (progress != null) progress.println(line);
    }
}

package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Serves archives from a loopback HTTP server on 127.0.0.1 (port chosen by the OS) started here. */
class DatasetDownloaderTest {
    @TempDir
    Path tmp;
    HttpServer server;
    final Map<String, byte[]> served = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> rangesSeen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        server.createContext("/", ex -> {
            byte[] body = served.get(ex.getRequestURI().getPath());
            if (body == null) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            int from = 0;
            if (range != null) {
                rangesSeen.add(range);
                from = Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
                ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
                ex.sendResponseHeaders(206, body.length - from);
            } else {
                ex.sendResponseHeaders(200, body.length);
            }
            try (OutputStream o = ex.getResponseBody()) {
                o.write(body, from, body.length - from);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/data/";
    }

    /** A tiny Speech Commands archive, flat like the official one. */
    static byte[] tarGz(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                TarArchiveEntry te = new TarArchiveEntry(e.getKey(), true); // preserve names as given (even "../")
                te.setSize(e.getValue().length);
                tar.putArchiveEntry(te);
                tar.write(e.getValue());
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private Map<String, byte[]> smallSet() {
        Map<String, byte[]> m = new java.util.LinkedHashMap<>();
        m.put("./yes/aaaa1111_nohash_0.wav", Pcm16Wav.encode(Fixtures.tone(1, 1600), 16000));
        m.put("./no/bbbb2222_nohash_0.wav", Pcm16Wav.encode(Fixtures.tone(2, 1600), 16000));
        m.put("./validation_list.txt", "yes/aaaa1111_nohash_0.wav\n".getBytes(StandardCharsets.UTF_8));
        m.put("./testing_list.txt", "no/bbbb2222_nohash_0.wav\n".getBytes(StandardCharsets.UTF_8));
        m.put("./_background_noise_/README.md", "noise".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    private List<String> leftovers(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        return names;
    }

    @Test
    void downloadsVerifiesAndUnpacks() throws Exception {
        Map<String, byte[]> files = smallSet();
        byte[] archive = tarGz(files);
        served.put("/data/speech_commands_v0.02.tar.gz", archive);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        DatasetDownloader d = new DatasetDownloader(new java.io.PrintStream(log, true, StandardCharsets.UTF_8), false);
        Path to = tmp.resolve("out");
        Path got = d.download(URI.create(base() + "speech_commands_v0.02.tar.gz"), sha256(archive), to, "speech_commands_v0.02");
        assertEquals(to.resolve("speech_commands_v0.02"), got);
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(got.resolve(e.getKey().substring(2))), e.getKey());
        }
        assertEquals(List.of("speech_commands_v0.02"), leftovers(to), "archive and part file are removed");
        SpeechCommandsDataset ds = SpeechCommandsDataset.open(got);
        assertTrue(ds.hasSplitLists());
        assertEquals(2, ds.clips().size());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("verified"));
        // A second call finds the dataset and does not fetch.
        served.clear();
        assertEquals(got, d.download(URI.create(base() + "speech_commands_v0.02.tar.gz"), sha256(archive), to, "speech_commands_v0.02"));
    }

    @Test
    void versionDownloadUsesTheInjectedBaseUrlAndChecksum() throws Exception {
        // The official v0.01 checksum cannot match a tiny archive: the refusal proves the version's checksum is used.
        byte[] archive = tarGz(smallSet());
        served.put("/data/speech_commands_v0.01.tar.gz", archive);
        DatasetDownloader d = new DatasetDownloader(null, false);
        Path to = tmp.resolve("out");
        IOException e = assertThrows(IOException.class, () -> d.download(SpeechCommandsVersion.V0_01, base(), to));
        assertTrue(e.getMessage().contains(SpeechCommandsVersion.V0_01.sha256()), e.getMessage());
        assertFalse(Files.exists(to), "the folder it made is removed again");
    }

    @Test
    void debrisOfAKilledUnpackIsRemoved() throws Exception {
        byte[] archive = tarGz(smallSet());
        served.put("/data/sc.tar.gz", archive);
        Path to = Files.createDirectories(tmp.resolve("out"));
        Path debris = Files.createDirectories(to.resolve(".sc.unpacking-123/yes"));
        Files.writeString(debris.resolve("half.wav"), "x");
        new DatasetDownloader(null, false).download(URI.create(base() + "sc.tar.gz"), sha256(archive), to, "sc");
        assertEquals(List.of("sc"), leftovers(to));
    }

    @Test
    void wrongChecksumIsRefusedAndLeavesNothing() throws Exception {
        byte[] archive = tarGz(smallSet());
        served.put("/data/sc.tar.gz", archive);
        String wrong = "0".repeat(64);
        Path to = tmp.resolve("out");
        IOException e = assertThrows(IOException.class, () -> new DatasetDownloader(null, false)
                .download(URI.create(base() + "sc.tar.gz"), wrong, to, "sc"));
        assertTrue(e.getMessage().contains("SHA-256 mismatch") && e.getMessage().contains(wrong)
                && e.getMessage().contains(sha256(archive)), e.getMessage());
        assertFalse(Files.exists(to), "no part file, archive, partial tree or the folder it made");
    }

    @Test
    void anUnreachableHostIsSaidInWordsAndLeavesNothing() throws Exception {
        Path to = tmp.resolve("offline");
        IOException e = assertThrows(IOException.class, () -> new DatasetDownloader(null, false)
                .download(URI.create("http://127.0.0.1:1/data/sc.tar.gz"), "0".repeat(64), to, "sc"));
        assertTrue(e.getMessage().contains("could not reach 127.0.0.1"), e.getMessage());
        assertFalse(e.getMessage().contains("Exception"), e.getMessage());
        assertFalse(Files.exists(to), "no empty folder is left behind");
        Path existing = Files.createDirectories(tmp.resolve("mine"));
        assertThrows(IOException.class, () -> new DatasetDownloader(null, false)
                .download(URI.create("http://127.0.0.1:1/data/sc.tar.gz"), "0".repeat(64), existing, "sc"));
        assertTrue(Files.isDirectory(existing), "a folder that was there stays");
        assertEquals(List.of(), leftovers(existing), "no empty part file");
    }

    @Test
    void resumesAPartialDownloadWithARangeRequest() throws Exception {
        byte[] archive = tarGz(smallSet());
        served.put("/data/sc.tar.gz", archive);
        Path to = Files.createDirectories(tmp.resolve("out"));
        Files.write(to.resolve("sc.tar.gz.part"), java.util.Arrays.copyOf(archive, archive.length / 2));
        Path got = new DatasetDownloader(null, true).download(URI.create(base() + "sc.tar.gz"), sha256(archive), to, "sc");
        assertEquals(List.of("bytes=" + archive.length / 2 + "-"), rangesSeen);
        assertTrue(Files.isRegularFile(got.resolve("yes/aaaa1111_nohash_0.wav")));
        assertArrayEquals(archive, Files.readAllBytes(to.resolve("sc.tar.gz")), "kept archive is the whole file");
        assertEquals(List.of("sc", "sc.tar.gz"), leftovers(to));
    }

    @Test
    void unsafeEntriesAreRefusedAndLeaveNothing() throws Exception {
        for (String evil : new String[]{"../evil.txt", "yes/../../evil.txt", "/tmp/evil-earshot.txt"}) {
            Map<String, byte[]> files = smallSet();
            files.put(evil, "x".getBytes(StandardCharsets.UTF_8));
            byte[] archive = tarGz(files);
            served.put("/data/bad.tar.gz", archive);
            Path to = tmp.resolve("out-" + Math.abs(evil.hashCode()));
            IOException e = assertThrows(IOException.class, () -> new DatasetDownloader(null, false)
                    .download(URI.create(base() + "bad.tar.gz"), sha256(archive), to, "bad"));
            assertTrue(e.getMessage().contains("unsafe entry") && e.getMessage().contains(evil), e.getMessage());
            assertEquals(List.of("bad.tar.gz"), leftovers(to), "only the verified archive stays; no tree");
            assertFalse(Files.exists(tmp.resolve("evil.txt")));
            assertFalse(Files.exists(Path.of("/tmp/evil-earshot.txt")));
        }
    }

    @Test
    void symlinkEntryIsRefused() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            TarArchiveEntry link = new TarArchiveEntry("yes", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/etc");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        Path archive = Files.write(tmp.resolve("l.tar.gz"), bytes.toByteArray());
        Path dir = Files.createDirectories(tmp.resolve("x"));
        IOException e = assertThrows(IOException.class, () -> DatasetDownloader.extractTarGz(archive, dir));
        assertTrue(e.getMessage().contains("link"), e.getMessage());
    }

    @Test
    void httpErrorAndCorruptArchiveAreClearErrors() throws Exception {
        Path to = tmp.resolve("out");
        IOException e = assertThrows(IOException.class, () -> new DatasetDownloader(null, false)
                .download(URI.create(base() + "missing.tar.gz"), "0".repeat(64), to, "m"));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        byte[] junk = "this is not a tar.gz".getBytes(StandardCharsets.UTF_8);
        served.put("/data/junk.tar.gz", junk);
        IOException j = assertThrows(IOException.class, () -> new DatasetDownloader(null, false)
                .download(URI.create(base() + "junk.tar.gz"), sha256(junk), to, "junk"));
        assertTrue(j.getMessage().contains("junk.tar.gz") && j.getMessage().contains("not a valid .tar.gz"), j.getMessage());
        assertFalse(Files.exists(to.resolve("junk")));
        assertTrue(leftovers(to).stream().noneMatch(n -> n.contains("unpacking")), leftovers(to).toString());
    }
}

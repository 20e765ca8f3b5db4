package dev.earshot.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir
    Path dir;

    @Test
    void tsvWithRelativePathsOtherColumnsAndMissingValues() throws IOException {
        Path f = dir.resolve("m.tsv");
        Files.writeString(f, "speaker\tpath\tlabel\tnote\nab12\tyes/a.wav\tyes\tx\n\n\tsub/../no/b.wav\t\t\n"
                + "cd\thdfs://nn/c.wav\tno\t\n");
        List<Manifest.Entry> e = Manifest.read(f);
        assertEquals(3, e.size());
        assertEquals(dir.resolve("yes/a.wav").toString(), e.get(0).path());
        assertEquals("yes", e.get(0).label());
        assertEquals("ab12", e.get(0).speaker());
        assertEquals(dir.resolve("no/b.wav").toString(), e.get(1).path());
        assertNull(e.get(1).label());
        assertNull(e.get(1).speaker());
        assertEquals("hdfs://nn/c.wav", e.get(2).path());
    }

    @Test
    void csvWithQuotes() throws IOException {
        Path f = dir.resolve("m.csv");
        Files.writeString(f, "path,label\n\"/data/a, b.wav\",yes\n\"/data/say \"\"hi\"\".wav\",no\n");
        List<Manifest.Entry> e = Manifest.read(f);
        assertEquals("/data/a, b.wav", e.get(0).path());
        assertEquals("/data/say \"hi\".wav", e.get(1).path());
        assertEquals("no", e.get(1).label());
    }

    @Test
    void badManifestsNameTheFileAndTheProblem() throws IOException {
        Path noPath = dir.resolve("a.csv");
        Files.writeString(noPath, "file,label\nx.wav,yes\n");
        assertTrue(assertThrows(IOException.class, () -> Manifest.read(noPath)).getMessage()
                .contains("a.csv: the header (file,label) has no 'path' column"));
        Path commas = dir.resolve("b.tsv");
        Files.writeString(commas, "path,label\nx.wav,yes\n");
        assertTrue(assertThrows(IOException.class, () -> Manifest.read(commas)).getMessage().contains("must end in .csv"));
        Path ragged = dir.resolve("c.tsv");
        Files.writeString(ragged, "path\tlabel\nx.wav\n");
        assertTrue(assertThrows(IOException.class, () -> Manifest.read(ragged)).getMessage()
                .contains("c.tsv:2: 1 fields, the header has 2"));
        Path empty = dir.resolve("d.tsv");
        Files.writeString(empty, "path\n");
        assertTrue(assertThrows(IOException.class, () -> Manifest.read(empty)).getMessage().contains("no files listed"));
        Path open = dir.resolve("e.csv");
        Files.writeString(open, "path\n\"x.wav\n");
        assertTrue(assertThrows(IOException.class, () -> Manifest.read(open)).getMessage().contains("e.csv:2: a quote"));
    }

    @Test
    void aManifestIsADatasetOfItsLabelledFiles() throws IOException {
        Path f = dir.resolve("train.csv");
        Files.writeString(f, "path,label,speaker\na/1.wav,Yes,ana\nb/0bac8a71_nohash_0.wav,no,\nnoise/n.wav,_background_noise_,\n");
        SpeechCommandsDataset d = SpeechCommandsDataset.fromManifest(f);
        assertEquals(List.of("no", "yes"), d.words());
        assertEquals("no/0bac8a71_nohash_0.wav", d.clips().get(0).relativePath());
        assertEquals("0bac8a71", d.clips().get(0).speaker(), "from the file name when the column is empty");
        assertEquals("ana", d.clips().get(1).speaker());
        assertEquals(dir.resolve("a/1.wav"), d.clips().get(1).file());
        assertEquals(List.of(dir.resolve("noise/n.wav")), d.backgroundNoiseFiles());
        assertEquals(d.words(), SpeechCommandsDataset.openFolderOrManifest(f).words());
        Path uri = dir.resolve("u.tsv");
        Files.writeString(uri, "path\tlabel\nhdfs://nn/a.wav\tyes\n");
        assertTrue(assertThrows(IOException.class, () -> SpeechCommandsDataset.fromManifest(uri)).getMessage()
                .contains("training reads local files"));
        Path unlabelled = dir.resolve("n.tsv");
        Files.writeString(unlabelled, "path\nx.wav\n");
        assertTrue(assertThrows(IOException.class, () -> SpeechCommandsDataset.fromManifest(unlabelled)).getMessage()
                .contains("x.wav has no label"));
    }
}

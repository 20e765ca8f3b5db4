package dev.earshot.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.earshot.server.WyomingEvent.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * PCM of each width to mono floats, from bytes whose values follow from the format alone: signed little-endian
 * samples over 2^(bits-1), channels averaged; and a chunk that changes the stream's format refused.
 */
class WyomingPcmTest {
    static float[] mono(WyomingPcm f, int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) bytes[i];
        float[] out = new float[b.length / f.frameBytes()];
        f.toMono(b, 0, out.length, out);
        return out;
    }

    @Test
    void eachWidthIsSignedLittleEndianOverItsFullScale() {
        assertArrayEquals(new float[] {-1f, 0.5f, 127 / 128f, 0f}, mono(new WyomingPcm(16000, 1, 1), 0x80, 0x40, 0x7f, 0x00));
        assertArrayEquals(new float[] {-1f, 0.5f, 32767 / 32768f, 1 / 32768f},
                mono(new WyomingPcm(16000, 2, 1), 0x00, 0x80, 0x00, 0x40, 0xff, 0x7f, 0x01, 0x00));
        assertArrayEquals(new float[] {-1f, 0.5f, 0x10000 / 2147483648f},
                mono(new WyomingPcm(16000, 4, 1), 0, 0, 0, 0x80, 0, 0, 0, 0x40, 0, 0, 1, 0));
    }

    @Test
    void channelsAreAveragedAndFramesCanStartAnywhere() {
        WyomingPcm stereo = new WyomingPcm(48000, 2, 2);
        // frames: (0.5, -0.5), (0.5, 0), (-1, -1)
        byte[] b = {0x00, 0x40, 0x00, (byte) 0xc0, 0x00, 0x40, 0x00, 0x00, 0x00, (byte) 0x80, 0x00, (byte) 0x80};
        float[] out = new float[2];
        stereo.toMono(b, 1, 2, out);
        assertArrayEquals(new float[] {0.25f, -1f}, out);
        assertArrayEquals(new float[] {0f}, mono(new WyomingPcm(8000, 1, 3), 0x40, 0xc0, 0x00));
    }

    @Test
    void aChunkKeepsTheStreamsFormat() throws ProtocolException {
        WyomingPcm f = new WyomingPcm(16000, 2, 1);
        ObjectNode same = WyomingEvent.JSON.createObjectNode().put("rate", 16000).put("width", 2).put("channels", 1);
        f.checkChunk(same);
        f.checkChunk(WyomingEvent.JSON.createObjectNode());  // a chunk that gives no format has the stream's
        ProtocolException e = assertThrows(ProtocolException.class, () -> f.checkChunk(same.deepCopy().put("channels", 2)));
        assertEquals("format-changed", e.code);
        assertTrue(e.getMessage().contains("channels is 2 but the stream's audio-start said 1"), e.getMessage());
        assertEquals(f, WyomingPcm.of(same, "audio-start"));
    }
}

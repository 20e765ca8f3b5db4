package dev.earshot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * One Wyoming event and its framing on a byte stream: a JSON header on one line ({@code type}, optional {@code data},
 * {@code data_length}, {@code payload_length}, {@code version}) ended by {@code \n}, then {@code data_length} bytes of
 * UTF-8 JSON merged over the header's {@code data}, then {@code payload_length} bytes of payload.
 *
 * @param type    the event type, as {@code audio-chunk}
 * @param data    the event's fields (the header's {@code data} with the extra data merged over it); never null
 * @param payload the binary payload, empty when there is none
 */
record WyomingEvent(String type, ObjectNode data, byte[] payload) {
    /** The protocol version written in each header: the Wyoming release whose fields this server speaks. */
    static final String PROTOCOL_VERSION = "1.5.3";

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);  // "{…}garbage" is not one JSON value

    /** An event with fields and no payload. */
    static WyomingEvent of(String type, ObjectNode data) {
        return new WyomingEvent(type, data, new byte[0]);
    }

    /**
     * Input that breaks the protocol, answered with an {@code error} event of this code and text. {@code fatal}
     * when the connection cannot go on (the framing is lost, or an audio stream went wrong mid-way).
     */
    static final class ProtocolException extends Exception {
        final String code;
        final boolean fatal;

        ProtocolException(String code, String text, boolean fatal) {
            super(text);
            this.code = code;
            this.fatal = fatal;
        }
    }

    /** The client closed the connection inside an event: nothing is left to answer. */
    static final class Truncated extends EOFException {
        Truncated(String what) {
            super("the connection ended inside " + what);
        }
    }

    /**
     * Reads the next event, or null when the stream ends cleanly between events. Every length is checked against its
     * limit before anything of that size is read or allocated.
     *
     * @throws ProtocolException (fatal) for a header line over {@code maxHeaderBytes}, a header or data that is not a
     *                           JSON object, a missing type, or a length that is negative, not a whole number, or
     *                           over its limit
     * @throws Truncated         when the stream ends inside an event
     */
    static WyomingEvent read(InputStream in, int maxHeaderBytes, int maxDataBytes, int maxPayloadBytes)
            throws IOException, ProtocolException {
        byte[] line = readLine(in, maxHeaderBytes);
        if (line == null) return null;
        ObjectNode header = object(line, "the header line");
        JsonNode type = header.get("type");
        if (type == null || !type.isTextual() || type.asText().isEmpty()) {
            throw new ProtocolException("bad-header", "the header has no \"type\" string", true);
        }
        JsonNode inline = header.get("data");
        ObjectNode data;
        if (inline == null || inline.isNull()) data = JSON.createObjectNode();
        else if (inline instanceof ObjectNode o) data = o;
        else throw new ProtocolException("bad-data", "the header's \"data\" is not a JSON object", true);
        int dataLength = length(header, "data_length", maxDataBytes);
        int payloadLength = length(header, "payload_length", maxPayloadBytes);
        if (dataLength > 0) data.setAll(object(readExactly(in, dataLength, "the event's data"), "the event's data"));
        byte[] payload = payloadLength > 0 ? readExactly(in, payloadLength, "the event's payload") : new byte[0];
        return new WyomingEvent(type.asText(), data, payload);
    }

    /** The header line without its {@code \n}; null at a clean end of stream. */
    private static byte[] readLine(InputStream in, int maxBytes) throws IOException, ProtocolException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() == 0) return null;
                throw new Truncated("a header line");
            }
            if (b == '\n') return line.toByteArray();
            if (line.size() == maxBytes) {
                throw new ProtocolException("header-too-long", "the header line is longer than the " + maxBytes
                        + " bytes accepted", true);
            }
            line.write(b);
        }
    }

    private static byte[] readExactly(InputStream in, int n, String what) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) throw new Truncated(what + " (" + b.length + " of " + n + " bytes came)");
        return b;
    }

    private static ObjectNode object(byte[] json, String what) throws ProtocolException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (IOException e) {
            String detail = e instanceof JsonProcessingException p ? p.getOriginalMessage() : e.getMessage();
            throw new ProtocolException("not-json", what + " is not JSON: " + detail, true);
        }
        if (!(node instanceof ObjectNode o)) {
            throw new ProtocolException("not-json", what + " is not a JSON object", true);
        }
        return o;
    }

    private static int length(ObjectNode header, String field, int max) throws ProtocolException {
        JsonNode n = header.get(field);
        if (n == null || n.isNull()) return 0;
        if (!n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new ProtocolException("bad-header", "\"" + field + "\" must be a whole number of bytes, not " + n, true);
        }
        if (n.asLong() > max) {
            throw new ProtocolException(field.equals("data_length") ? "data-too-long" : "payload-too-long",
                    "\"" + field + "\" is " + n.asLong() + " bytes, more than the " + max + " accepted", true);
        }
        return (int) n.asLong();
    }

    /**
     * The event as bytes on the wire: the header line, its data as {@code data_length} bytes after it (as the Wyoming
     * library writes them), then the payload.
     */
    byte[] encode() {
        ObjectNode header = JSON.createObjectNode();
        header.put("type", type);
        header.put("version", PROTOCOL_VERSION);
        byte[] dataBytes = data.isEmpty() ? new byte[0] : data.toString().getBytes(StandardCharsets.UTF_8);
        if (dataBytes.length > 0) header.put("data_length", dataBytes.length);
        if (payload.length > 0) header.put("payload_length", payload.length);
        byte[] head = (header + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + dataBytes.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(dataBytes, 0, out, head.length, dataBytes.length);
        System.arraycopy(payload, 0, out, head.length + dataBytes.length, payload.length);
        return out;
    }
}

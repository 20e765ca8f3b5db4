package dev.earshot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Wyoming client written from the protocol's README, not from the server's code: it writes header lines with
 * {@code data_length} and {@code payload_length} and reads answers with the same care (the header's inline
 * {@code data} with the extra data merged over it, exact lengths, an end of stream told apart from an event).
 */
final class WyomingClient implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    /** An event as received. */
    record Event(String type, ObjectNode data, byte[] payload) {
        String text(String field) {
            JsonNode n = data.get(field);
            return n == null || n.isNull() ? null : n.asText();
        }
    }

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    WyomingClient(int port) throws IOException {
        this(port, -1);
    }

    /** {@code receiveBuffer} > 0 shrinks the socket's receive buffer (set before connecting, so it holds). */
    WyomingClient(int port, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(60_000);  // a test fails rather than hangs
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Sends an event: {@code data} (may be null) as {@code data_length} bytes after the header line, as the Python library does. */
    void send(String type, ObjectNode data, byte[] payload) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        header.put("type", type);
        byte[] dataBytes = data == null ? new byte[0] : JSON.writeValueAsBytes(data);
        if (dataBytes.length > 0) header.put("data_length", dataBytes.length);
        if (payload != null && payload.length > 0) header.put("payload_length", payload.length);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(JSON.writeValueAsBytes(header));
        b.write('\n');
        b.write(dataBytes);
        if (payload != null) b.write(payload);
        sendRaw(b.toByteArray());
    }

    void send(String type, ObjectNode data) throws IOException {
        send(type, data, null);
    }

    void send(String type) throws IOException {
        send(type, null, null);
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendRaw(String text) throws IOException {
        sendRaw(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next event, or null when the server closed the connection between events. */
    Event read() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                if (line.size() == 0) return null;
                throw new EOFException("the server closed inside a header line: " + line);
            }
            line.write(b);
        }
        JsonNode header = JSON.readTree(line.toByteArray());
        if (!header.isObject() || !header.path("type").isTextual()) throw new IOException("not an event header: " + line);
        ObjectNode data = header.get("data") instanceof ObjectNode o ? o.deepCopy() : JSON.createObjectNode();
        int dataLength = header.path("data_length").asInt(0);
        if (dataLength > 0) {
            JsonNode extra = JSON.readTree(readExactly(dataLength));
            if (!extra.isObject()) throw new IOException("the data of " + line + " is not an object: " + extra);
            data.setAll((ObjectNode) extra);
        }
        int payloadLength = header.path("payload_length").asInt(0);
        return new Event(header.get("type").asText(), data, payloadLength > 0 ? readExactly(payloadLength) : new byte[0]);
    }

    /** Events up to and including the first of {@code type}; fails on an end of stream before it. */
    List<Event> readUntil(String type) throws IOException {
        List<Event> events = new ArrayList<>();
        while (true) {
            Event e = read();
            if (e == null) throw new EOFException("the server closed before " + type + " (after " + types(events) + ")");
            events.add(e);
            if (e.type().equals(type)) return events;
        }
    }

    static List<String> types(List<Event> events) {
        return events.stream().map(Event::type).toList();
    }

    private byte[] readExactly(int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length < n) throw new EOFException("the server closed after " + b.length + " of " + n + " bytes");
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

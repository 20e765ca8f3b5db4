package dev.earshot.spark;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A ring all-reduce of float vectors over TCP between the tasks of one data-parallel training job: each rank
 * sends to the next and receives from the one before, a reduce-scatter (n − 1 steps) then an all-gather (n − 1
 * steps), so each rank moves 2·(n − 1)/n of the vector per call whatever n is.
 *
 * <p>Every chunk's sum is made on one rank in one order and then copied to the others, so every rank ends with the
 * same bits. The ranks find each other once: each binds a {@link ServerSocket} first ({@link #listen}), the
 * addresses are exchanged (Spark's {@code BarrierTaskContext.allGather}), then {@link #connect} links the ring.
 *
 * <p>No hang when a rank dies: reads wait in short slices ({@code SO_TIMEOUT}) and give up when the thread is
 * interrupted (Spark kills a failed stage's other tasks that way) or when nothing has come for
 * {@code timeoutMillis}; a closed neighbour ends the read at once, and closing this rank's sockets in turn ends its
 * other neighbour's, so a failure goes round the ring.
 */
public final class RingAllReduce implements AutoCloseable, dev.earshot.training.DataParallel {
    private static final int MAGIC = 0x45525241;  // "ERRA"
    private static final int SLICE_MILLIS = 200;

    private final int rank, size;
    private final long timeoutMillis;
    private final ServerSocket server;
    private Socket toNext, fromPrevious;
    private DataOutputStream out;
    private DataInputStream in;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "earshot-allreduce-send");
        t.setDaemon(true);
        return t;
    });

    private RingAllReduce(int rank, int size, ServerSocket server, long timeoutMillis) {
        this.rank = rank;
        this.size = size;
        this.server = server;
        this.timeoutMillis = timeoutMillis;
    }

    /** Binds this rank's listening socket on {@code host} (a free port); its address goes to the other ranks. */
    public static RingAllReduce listen(int rank, int size, String host, long timeoutMillis) throws IOException {
        if (size < 1 || rank < 0 || rank >= size) throw new IllegalArgumentException("rank " + rank + " of " + size);
        if (timeoutMillis <= 0) throw new IllegalArgumentException("timeoutMillis must be > 0");
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(host, 0));
        s.setSoTimeout(SLICE_MILLIS);
        return new RingAllReduce(rank, size, s, timeoutMillis);
    }

    /** "host:port" of this rank's listening socket. */
    public String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    /** Links the ring, given every rank's {@link #address()} in rank order. */
    public void connect(List<String> addresses) throws IOException {
        if (addresses.size() != size) {
            throw new IllegalArgumentException(addresses.size() + " addresses for " + size + " ranks");
        }
        if (size == 1) return;
        String next = addresses.get((rank + 1) % size);
        int colon = next.lastIndexOf(':');
        long deadline = System.currentTimeMillis() + timeoutMillis;
        // Connect to the next rank (retrying while it is not yet listening) and accept the previous one.
        Future<Socket> accepted = sender.submit(() -> {
            while (true) {
                try {
                    return server.accept();
                } catch (SocketTimeoutException e) {
                    checkTime(deadline, "rank " + rank + ": the previous rank did not connect");
                }
            }
        });
        Socket s = null;
        while (s == null) {
            try {
                s = new Socket();
                s.connect(new InetSocketAddress(next.substring(0, colon), Integer.parseInt(next.substring(colon + 1))),
                        SLICE_MILLIS);
            } catch (IOException e) {
                s.close();
                s = null;
                checkTime(deadline, "rank " + rank + ": cannot reach the next rank at " + next + " (" + e.getMessage() + ")");
                sleep(50);
            }
        }
        toNext = s;
        toNext.setTcpNoDelay(true);
        out = new DataOutputStream(new BufferedOutputStream(toNext.getOutputStream(), 1 << 16));
        out.writeInt(MAGIC);
        out.writeInt(rank);
        out.writeInt(size);
        out.flush();
        fromPrevious = await(accepted, deadline);
        fromPrevious.setSoTimeout(SLICE_MILLIS);
        in = new DataInputStream(new BufferedInputStream(fromPrevious.getInputStream(), 1 << 16));
        int magic = readInt(), from = readInt(), n = readInt();
        int expected = (rank + size - 1) % size;
        if (magic != MAGIC || from != expected || n != size) {
            throw new IOException("rank " + rank + ": expected rank " + expected + " of " + size + ", got a peer saying "
                    + (magic != MAGIC ? "something else" : "rank " + from + " of " + n));
        }
    }

    /** Replaces {@code v} on every rank with the element-wise sum over all ranks (same length everywhere). */
    @Override
    public void sum(float[] v) throws IOException {
        if (size == 1) return;
        int n = size;
        float[] buf = new float[v.length / n + 1];  // the longest chunk
        // Reduce-scatter: after step s, rank r holds the sum over s + 2 ranks of chunk (r − s − 1) mod n.
        for (int s = 0; s < n - 1; s++) {
            int send = Math.floorMod(rank - s, n), recv = Math.floorMod(rank - s - 1, n);
            exchange(v, send, recv, n, buf, true);
        }
        // All-gather: rank r now owns chunk (r + 1) mod n in full; pass the finished chunks round.
        for (int s = 0; s < n - 1; s++) {
            int send = Math.floorMod(rank + 1 - s, n), recv = Math.floorMod(rank - s, n);
            exchange(v, send, recv, n, buf, false);
        }
    }

    /**
     * Data-parallel averaging: {@code grads} is this rank's mean gradient over {@code clips} examples; on return it
     * is the mean over every rank's examples (weighted by their counts), the same bits on every rank. Returns the
     * total count.
     */
    public long meanOverClips(float[] grads, int clips) throws IOException {
        float[] v = new float[grads.length + 1];
        for (int i = 0; i < grads.length; i++) v[i] = grads[i] * clips;
        v[grads.length] = clips;  // exact: counts stay far below 2^24
        sum(v);
        long total = Math.round(v[grads.length]);
        if (total <= 0) throw new IOException("no examples on any rank");
        for (int i = 0; i < grads.length; i++) grads[i] = v[i] / total;
        return total;
    }

    private void exchange(float[] v, int sendChunk, int recvChunk, int n, float[] buf, boolean add) throws IOException {
        int sFrom = chunkStart(v.length, n, sendChunk), sLen = chunkStart(v.length, n, sendChunk + 1) - sFrom;
        int rFrom = chunkStart(v.length, n, recvChunk), rLen = chunkStart(v.length, n, recvChunk + 1) - rFrom;
        ByteBuffer bytes = ByteBuffer.allocate(sLen * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(v, sFrom, sLen);
        // Send on the other thread while this one reads, so that two ranks writing big chunks never both block.
        Future<?> sent = sender.submit(() -> {
            out.writeInt(sLen);
            out.write(bytes.array());
            out.flush();
            return null;
        });
        long deadline = System.currentTimeMillis() + timeoutMillis;
        int len = readInt(deadline);
        if (len != rLen) throw new IOException("rank " + rank + ": the previous rank sent " + len + " floats, expected "
                + rLen + " (different vector lengths?)");
        byte[] raw = new byte[len * 4];
        readFully(raw, deadline);
        ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(buf, 0, len);
        if (add) for (int i = 0; i < len; i++) v[rFrom + i] += buf[i];
        else System.arraycopy(buf, 0, v, rFrom, len);
        await(sent, deadline);
    }

    static int chunkStart(int length, int n, int c) {
        return (int) ((long) length * c / n);
    }

    private int readInt() throws IOException {
        return readInt(System.currentTimeMillis() + timeoutMillis);
    }

    private int readInt(long deadline) throws IOException {
        byte[] b = new byte[4];
        readFully(b, deadline);
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    private void readFully(byte[] b, long deadline) throws IOException {
        int at = 0;
        while (at < b.length) {
            try {
                int r = in.read(b, at, b.length - at);
                if (r < 0) throw new IOException("rank " + rank + ": the previous rank closed the connection");
                at += r;
            } catch (SocketTimeoutException e) {
                checkTime(deadline, "rank " + rank + ": nothing from the previous rank for " + timeoutMillis + " ms");
            }
        }
    }

    private void checkTime(long deadline, String what) throws IOException {
        if (Thread.currentThread().isInterrupted()) throw new InterruptedIOException("rank " + rank + ": interrupted");
        if (System.currentTimeMillis() > deadline) throw new SocketTimeoutException(what);
    }

    private <T> T await(Future<T> f, long deadline) throws IOException {
        while (true) {
            try {
                return f.get(SLICE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                checkTime(deadline, "rank " + rank + ": the next rank stopped reading");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("rank " + rank + ": interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof IOException io) throw io;
                throw new IOException("rank " + rank + ": " + c, c);
            }
        }
    }

    private static void sleep(long ms) throws InterruptedIOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted");
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {toNext, fromPrevious, server}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // closing: nothing left to tell
            }
        }
    }
}

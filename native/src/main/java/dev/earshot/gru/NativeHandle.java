package dev.earshot.gru;

import java.lang.ref.Cleaner;
import java.util.function.LongConsumer;

/**
 * Owns one native object: hands its address to callers while it is open, frees it exactly once.
 * {@link #close()} waits for calls in flight and refuses while dependents (streams, trainers of a model)
 * are open, so a native call never sees a freed or half-freed object. A {@link Cleaner} frees objects
 * that were never closed once they are unreachable. A dependent's handle names its parent: freeing it, by
 * close or by the Cleaner, releases the parent, so an abandoned stream does not keep its model from closing.
 */
final class NativeHandle implements AutoCloseable {
    private static final Cleaner CLEANER = Cleaner.create();

    private final String what;
    private final Freer freer;
    private final Cleaner.Cleanable cleanable;
    private int users;
    private int dependents;
    private boolean closed;

    /** The free action: must not refer to the owning wrapper, or the cleaner would never run. */
    private static final class Freer implements Runnable {
        private final long address;
        private final LongConsumer free;
        private final NativeHandle parent; // or null
        private boolean done;

        Freer(long address, LongConsumer free, NativeHandle parent) {
            this.address = address;
            this.free = free;
            this.parent = parent;
        }

        @Override
        public synchronized void run() {
            if (!done) {
                done = true;
                free.accept(address);
                if (parent != null) parent.removeDependent();
            }
        }
    }

    NativeHandle(Object owner, String what, long address, LongConsumer free) {
        this(owner, what, address, free, null);
    }

    /** A handle whose object depends on {@code parent}'s (already counted by {@link #addDependent()} on it). */
    NativeHandle(Object owner, String what, long address, LongConsumer free, NativeHandle parent) {
        if (address == 0) throw new IllegalStateException("native allocation of " + what + " failed");
        this.what = what;
        this.freer = new Freer(address, free, parent);
        this.cleanable = CLEANER.register(owner, freer);
    }

    /** The address, for one native call; pair with {@link #release()} in a finally block. */
    synchronized long acquire() {
        if (closed) throw new IllegalStateException(what + " is closed");
        users++;
        return freer.address;
    }

    synchronized void release() {
        if (--users == 0 && closed) notifyAll();
    }

    synchronized void addDependent() {
        if (closed) throw new IllegalStateException(what + " is closed");
        dependents++;
    }

    synchronized void removeDependent() {
        dependents--;
    }

    /** Closes and frees (once: later calls do nothing), after the calls in flight; refused while dependents are open. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            if (dependents > 0) {
                throw new IllegalStateException(
                        "cannot close " + what + ": " + dependents + " stream(s) or trainer(s) still use it; close them first");
            }
            closed = true;
            boolean interrupted = false;
            while (users > 0) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
        cleanable.clean();
    }
}

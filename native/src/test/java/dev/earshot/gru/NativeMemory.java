package dev.earshot.gru;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.function.IntConsumer;
import org.bytedeco.javacpp.Pointer;

/**
 * Measures whether repeated work leaves native memory behind. The api module's tests use it too, through this
 * module's test jar.
 * The C++ core allocates with new/malloc, not through JavaCPP's {@code Pointer}s, so {@link Pointer#totalBytes()}
 * never sees it; the process's resident set ({@link Pointer#physicalBytes()}) does.
 *
 * <p>The reading is taken after a warm-up and then after each of a few equal stretches of work. A leak grows
 * every stretch by its size times the stretch's iterations; the JVM's own one-off growth lands in one (here 4–8 MiB
 * once, around the 5,000th iteration, when C2 compiles the hot methods and keeps its arenas). So the verdict goes
 * by the stretch that grew least, with a loose cap on the total for anything gross.
 */
public final class NativeMemory {
    /** Growth the smallest stretch must stay under. */
    public static final long TOLERANCE = 256 << 10;
    /** Growth all stretches together must stay under: room for the JVM's one-off growth, not for a leak. */
    public static final long TOTAL_TOLERANCE = 32 << 20;

    private NativeMemory() {}

    /** Resident bytes with the garbage collected and the Cleaner's backlog run: the lowest of a few readings. */
    public static long settled() {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(20);  // the Cleaner frees on its own thread, after the collection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            best = Math.min(best, Pointer.physicalBytes());
        }
        return best;
    }

    /**
     * Runs {@code body} for {@code warmUp} iterations (JIT, allocator arenas and thread caches reach their size),
     * then for {@code stretches} × {@code perStretch} more, and returns how much the settled resident memory grew
     * over each stretch. A collection every {@code gcEvery} iterations keeps the heap's young regions the same few
     * (left alone, a quiet loop fills ever more of them, which looks like growth) and has the Cleaner free what was
     * dropped in small batches (a large batch freed at once leaves the allocator's footprint swinging by its size).
     */
    public static long[] growth(int warmUp, int stretches, int perStretch, int gcEvery, IntConsumer body) {
        int[] next = {0};
        return growthPerStretch(1, stretches, k -> {
            for (int end = next[0] + (k == 0 ? warmUp : perStretch); next[0] < end; next[0]++) {
                body.accept(next[0]);
                if (next[0] % gcEvery == gcEvery - 1) System.gc();
            }
        });
    }

    /**
     * Runs {@code stretch} (given its number) {@code warmUp} times, then {@code stretches} more, and returns how much
     * the settled resident memory grew over each of the latter.
     */
    public static long[] growthPerStretch(int warmUp, int stretches, IntConsumer stretch) {
        // After each System.gc() the heap would shrink, and grow again as work goes on: resident memory coming and
        // going that is not native. Keep it at its size for the measurement.
        HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        String maxFree = vm.getVMOption("MaxHeapFreeRatio").getValue();
        vm.setVMOption("MaxHeapFreeRatio", "100");
        try {
            for (int k = 0; k < warmUp; k++) stretch.accept(k);
            long[] grew = new long[stretches];
            long start = settled(), last = start;
            for (int s = 0; s < stretches; s++) {
                stretch.accept(warmUp + s);
                long now = settled();
                grew[s] = now - last;
                last = now;
            }
            System.out.println("native memory after warm-up: " + mib(start) + "; growth per stretch: " + describe(grew));
            return grew;
        } finally {
            vm.setVMOption("MaxHeapFreeRatio", maxFree);
        }
    }

    /**
     * Null when the stretches show no leak: the smallest grew less than {@link #TOLERANCE} and all together less
     * than {@link #TOTAL_TOLERANCE}. Otherwise what they show.
     */
    public static String leak(long[] grew) {
        return leak(grew, TOLERANCE);
    }

    /** {@link #leak(long[])} with another tolerance for the smallest stretch. */
    public static String leak(long[] grew, long tolerance) {
        return leak(grew, tolerance, TOTAL_TOLERANCE);
    }

    /** {@link #leak(long[])} with other tolerances for the smallest stretch and for all together. */
    public static String leak(long[] grew, long tolerance, long totalTolerance) {
        long least = Arrays.stream(grew).min().orElseThrow(), total = Arrays.stream(grew).sum();
        if (least < tolerance && total < totalTolerance) return null;
        return "native memory grew by at least " + mib(least) + " in every stretch (" + describe(grew) + "; tolerance "
                + mib(tolerance) + " for the smallest, " + mib(totalTolerance) + " in all)";
    }

    public static String describe(long[] grew) {
        StringBuilder sb = new StringBuilder();
        for (long g : grew) sb.append(sb.length() == 0 ? "" : ", ").append(String.format("%+.2f", g / 1048576.0));
        return sb.append(" MiB").toString();
    }

    public static String mib(long bytes) {
        return String.format("%.2f MiB", bytes / 1048576.0);
    }
}

package dev.earshot.datasets;

import java.util.List;
import java.util.SplittableRandom;

/** Fisher–Yates with {@link SplittableRandom}: {@code Collections.shuffle} only takes a {@code java.util.Random}. */
final class Shuffle {
    private Shuffle() {
    }

    static <T> void shuffle(List<T> list, SplittableRandom rng) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }
}

package dev.earshot.training;

import java.io.IOException;

/**
 * The replicas of one data-parallel training run, as seen by one of them: every replica runs the same
 * {@link Trainer} on the same data and draws, computes the gradients of its share of each batch's rows, and the
 * replicas sum them (with their losses and counts) through {@link #sum} before each applies the same update.
 * A ring all-reduce between Spark tasks is one; a single machine needs none.
 */
public interface DataParallel {
    /** This replica's index, 0 to {@link #size()} − 1; replica 0 writes the checkpoints. */
    int rank();

    /** How many replicas there are. */
    int size();

    /**
     * Replaces {@code v} with the element-wise sum of every replica's {@code v} (the same length everywhere), the
     * same bits on every replica.
     */
    void sum(float[] v) throws IOException;
}

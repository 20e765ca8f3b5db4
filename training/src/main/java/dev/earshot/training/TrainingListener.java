package dev.earshot.training;

import java.util.Locale;

/**
 * What a {@link Trainer} reports while it runs: news (features built, a resumed run, mined negatives), each batch,
 * and each epoch's numbers. The command line draws a progress bar from it; a Spark task or an application may log,
 * forward or ignore it. Called on the training thread; a listener that throws stops the run.
 */
public interface TrainingListener {
    /** A line of news, without its newline; lines starting with "warning: " are warnings. */
    default void message(String line) {}

    /**
     * After each batch of an epoch.
     *
     * @param done       examples of this epoch trained so far, out of {@code total}
     * @param loss       the mean loss and the accuracy over those examples
     * @param seconds    since the epoch began
     */
    default void batch(int epoch, int epochs, int done, int total, double loss, double accuracy, double seconds) {}

    /** After each epoch, its validation included: the best validation accuracy so far and its epoch. */
    default void epoch(History.Epoch e, int epochs, double bestAccuracy, int bestEpoch) {}

    /** The line a finished epoch is reported with. */
    static String epochLine(History.Epoch e, int epochs, double bestAccuracy, int bestEpoch) {
        return String.format(Locale.ROOT, "epoch %d/%d loss %.4f acc %.4f val %.4f (best %.4f @%d) lr %.2e %.0f clips/s %.1fs",
                e.epoch(), epochs, e.trainLoss(), e.trainAccuracy(), e.validationAccuracy(), bestAccuracy, bestEpoch,
                e.learningRate(), e.clipsPerSecond(), e.seconds());
    }
}

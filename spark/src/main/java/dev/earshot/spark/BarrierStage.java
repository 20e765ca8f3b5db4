package dev.earshot.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * A barrier stage of {@code tasks} tasks that run together, from Java (Spark's barrier API is Scala's), and the ring
 * all-reduce linking them: how data-parallel training and its benchmark start their replicas.
 */
final class BarrierStage {
    private BarrierStage() {}

    /** What each task of the stage runs; its own rank is {@code ctx.partitionId()}. */
    interface Task<T> extends Serializable {
        Iterator<T> run(BarrierTaskContext ctx) throws IOException;
    }

    /** What each task of a stage over an input runs, given its partition of the input. */
    interface InputTask<I, T> extends Serializable {
        Iterator<T> run(BarrierTaskContext ctx, Iterator<I> input) throws IOException;
    }

    /** The stage's output: the items each task returns (an I/O failure fails the task, and so the stage). */
    static <T> JavaRDD<T> of(SparkSession spark, int tasks, Class<T> type, Task<T> task) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ranks = new ArrayList<>();
        for (int r = 0; r < tasks; r++) ranks.add(r);
        return of(sc.parallelize(ranks, tasks), type, (ctx, ignored) -> task.run(ctx));
    }

    /** A stage of one task per partition of {@code input}; task r reads partition r. */
    static <I, T> JavaRDD<T> of(JavaRDD<I> input, Class<T> type, InputTask<I, T> task) {
        scala.Function1<scala.collection.Iterator<I>, scala.collection.Iterator<T>> f =
                (scala.Function1<scala.collection.Iterator<I>, scala.collection.Iterator<T>> & Serializable) it -> {
                    try {
                        return scala.jdk.javaapi.CollectionConverters.asScala(
                                task.run(BarrierTaskContext.get(), scala.jdk.javaapi.CollectionConverters.asJava(it)));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                };
        return input.rdd().barrier().mapPartitions(f, false, scala.reflect.ClassTag$.MODULE$.apply(type)).toJavaRDD();
    }

    /**
     * This task's end of the ring: listening on its executor's address, the addresses exchanged once with
     * {@link BarrierTaskContext#allGather}, then linked. Reads give up after {@code timeoutMillis} of silence.
     */
    static RingAllReduce ring(BarrierTaskContext ctx, long timeoutMillis) throws IOException {
        int rank = ctx.partitionId(), size = ctx.getTaskInfos().length;
        String host = ctx.getTaskInfos()[rank].address();
        if (host.contains(":")) host = host.substring(0, host.lastIndexOf(':'));
        RingAllReduce ring = RingAllReduce.listen(rank, size, host, timeoutMillis);
        try {
            ring.connect(List.of(ctx.allGather(ring.address())));
            return ring;
        } catch (IOException | RuntimeException e) {
            ring.close();
            throw e;
        }
    }
}

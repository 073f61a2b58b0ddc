package dev.proxyanchor.spark.progress;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.AccumulatorV2;
import scala.Tuple4;
import scala.collection.JavaConverters;

/**
 * The value of accumulators across the whole cluster while tasks still run. An accumulator's driver-side value
 * only grows when a task ends, which for a parameter-averaging round or a kNN block can be minutes; but every
 * executor heartbeat (every {@code spark.executor.heartbeatInterval}, 10 s by default) carries the partial values
 * of its running tasks. This listener keeps the latest partial value of each running task and adds them to the
 * driver's value, so that a progress line counts what every executor did, not only finished tasks.
 *
 * <p>Between a task's end being merged on the driver and this listener hearing of it, the task counts twice for a
 * moment; progress readers cap at their totals.
 */
public final class LiveAccumulators extends SparkListener implements AutoCloseable {

    private final SparkContext sc;
    private final Map<Long, AccumulatorV2<?, ?>> watched = new ConcurrentHashMap<>();
    /** Running task id -> accumulator id -> the task's partial value from its last heartbeat. */
    private final Map<Long, Map<Long, Double>> running = new ConcurrentHashMap<>();
    /** Tasks already ended: a heartbeat sent before a task ended can arrive after. */
    private final Set<Long> ended = ConcurrentHashMap.newKeySet();

    private LiveAccumulators(SparkContext sc) {
        this.sc = sc;
    }

    /** Starts listening; close to stop. */
    public static LiveAccumulators listen(SparkContext sc) {
        LiveAccumulators live = new LiveAccumulators(sc);
        sc.addSparkListener(live);
        return live;
    }

    /** Follows a numeric accumulator (a {@code LongAccumulator} or {@code DoubleAccumulator}). */
    public <A extends AccumulatorV2<?, ?>> A watch(A accumulator) {
        watched.put(accumulator.id(), accumulator);
        return accumulator;
    }

    /** The accumulator's merged value plus the running tasks' latest partial values. */
    public double value(AccumulatorV2<?, ?> accumulator) {
        double sum = ((Number) accumulator.value()).doubleValue();
        for (Map<Long, Double> task : running.values()) {
            sum += task.getOrDefault(accumulator.id(), 0.0);
        }
        return sum;
    }

    /** Forgets the partial values of tasks (after a driver-side reset of the accumulators). */
    public void forgetRunningTasks() {
        running.clear();
        ended.clear();
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (Tuple4<Object, Object, Object, scala.collection.Seq<AccumulableInfo>> task
                : JavaConverters.seqAsJavaList(update.accumUpdates())) {
            long taskId = (Long) task._1();
            if (ended.contains(taskId)) {
                continue;
            }
            Map<Long, Double> values = new ConcurrentHashMap<>();
            for (AccumulableInfo info : JavaConverters.seqAsJavaList(task._4())) {
                if (watched.containsKey(info.id()) && info.update().isDefined()
                        && info.update().get() instanceof Number n) {
                    values.put(info.id(), n.doubleValue());
                }
            }
            if (!values.isEmpty()) {
                running.put(taskId, values);
            }
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        long taskId = end.taskInfo().taskId();
        ended.add(taskId);
        running.remove(taskId);
    }

    @Override
    public void close() {
        sc.removeSparkListener(this);
    }
}

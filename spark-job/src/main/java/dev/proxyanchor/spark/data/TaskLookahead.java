package dev.proxyanchor.spark.data;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;

/**
 * The minibatches a Spark task has queued for decoding ahead, by key, until the task takes them. When the task
 * ends, whether it succeeded or failed, what it did not take is cancelled and forgotten, so a failed task leaves
 * neither decoding work nor memory behind. Outside a Spark task (tests) the calling thread plays the task.
 */
public final class TaskLookahead {

    private static final Map<Long, TaskLookahead> BY_TASK = new ConcurrentHashMap<>();
    private static final ThreadLocal<TaskLookahead> WITHOUT_SPARK = ThreadLocal.withInitial(TaskLookahead::new);

    private final Map<String, PendingBatch> pending = new ConcurrentHashMap<>();

    private TaskLookahead() {
    }

    /** The lookahead of the task running on this thread. */
    public static TaskLookahead current() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return WITHOUT_SPARK.get();
        }
        long attempt = task.taskAttemptId();
        TaskLookahead lookahead = BY_TASK.get(attempt);
        if (lookahead == null) {
            lookahead = new TaskLookahead();
            BY_TASK.put(attempt, lookahead);
            TaskLookahead registered = lookahead;
            task.addTaskCompletionListener(context -> {
                BY_TASK.remove(attempt);
                registered.cancelAll();
            });
        }
        return lookahead;
    }

    /** Queues {@code batch} under {@code key} unless it is queued already. */
    public void ahead(String key, Supplier<PendingBatch> batch) {
        pending.computeIfAbsent(key, k -> batch.get());
    }

    /** The batch queued under {@code key}, or {@code batch} queued now; either way no longer held here. */
    public PendingBatch take(String key, Supplier<PendingBatch> batch) {
        PendingBatch queued = pending.remove(key);
        return queued != null ? queued : batch.get();
    }

    /** Cancels and forgets every batch queued and not taken. */
    public void cancelAll() {
        pending.values().forEach(PendingBatch::cancel);
        pending.clear();
    }

    /** Batches queued and not taken (for tests). */
    int queued() {
        return pending.size();
    }
}

package dev.proxyanchor.spark.runtime;

import java.io.Serializable;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a {@link UserError} raised inside Spark tasks to the driver as a value instead of a failed task.
 *
 * <p>A task that throws is logged with its stack trace by the executor and the scheduler and retried up to
 * {@code spark.task.maxFailures} times (4 on a cluster), reading the bad file again each time, although a NaN in a
 * file or a corrupt image fails the same way every time. Here the partition's iterator catches the user error, ends
 * the partition early and hands the error to an accumulator, so the task succeeds; the driver then rethrows the
 * error of the lowest partition after the job. Anything else still fails the task as usual (and keeps its trace).
 *
 * <p>Used where the project's own code runs in tasks on user data: reading stored embeddings, embedding images,
 * checking embeddings before the kNN pass. DL4J's training tasks cannot be wrapped so (their partition iterator is
 * DL4J's): there Spark's retries stand, see the README's "Errors and exit codes".
 */
public final class TaskErrors {

    private static final Logger log = LoggerFactory.getLogger(TaskErrors.class);

    private TaskErrors() {
    }

    /**
     * {@code rows}, computed now, once, and kept ({@code MEMORY_AND_DISK}) for the jobs that follow; the caller
     * unpersists it. {@code what} names the rows in the log ("embeddings of e.csv").
     *
     * @throws RuntimeException the user error a task met, as it was thrown there (its trace at DEBUG)
     */
    public static <T> JavaRDD<T> computeOnce(JavaRDD<T> rows, String what) {
        CollectionAccumulator<Failure> failures = rows.context().collectionAccumulator("user errors: " + what);
        JavaRDD<T> kept = rows.mapPartitionsWithIndex(
                (partition, part) -> new Catching<>(partition, part, failures), true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        kept.count();
        Optional<Failure> first = failures.value().stream().min(Comparator.comparingInt(Failure::partition));
        if (first.isPresent()) {
            kept.unpersist(false);
            RuntimeException error = first.get().error();
            log.debug("user error in partition {} of {}", first.get().partition(), what, error);
            throw error;
        }
        return kept;
    }

    /** The user error a partition's task met. */
    record Failure(int partition, RuntimeException error) implements Serializable {
    }

    /**
     * A partition's iterator that ends at the first user error and records it. It reads one row ahead, so that a
     * row whose reading fails is never promised by {@link #hasNext}.
     */
    static final class Catching<T> implements Iterator<T> {
        private final int partition;
        private final Iterator<T> rows;
        private final CollectionAccumulator<Failure> failures;
        private T ahead;
        private boolean hasAhead;
        private boolean ended;

        Catching(int partition, Iterator<T> rows, CollectionAccumulator<Failure> failures) {
            this.partition = partition;
            this.rows = rows;
            this.failures = failures;
        }

        @Override
        public boolean hasNext() {
            if (!hasAhead && !ended) {
                try {
                    if (rows.hasNext()) {
                        ahead = rows.next();
                        hasAhead = true;
                    } else {
                        ended = true;
                    }
                } catch (RuntimeException e) {
                    RuntimeException userError = UserError.find(e).orElseThrow(() -> e);
                    failures.add(new Failure(partition, userError));
                    ended = true;
                }
            }
            return hasAhead;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            T row = ahead;
            ahead = null;
            hasAhead = false;
            return row;
        }
    }
}

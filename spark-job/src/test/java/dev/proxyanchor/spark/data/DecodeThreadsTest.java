package dev.proxyanchor.spark.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The default decode pool: the cores the training steps leave idle, never none. */
class DecodeThreadsTest {

    @Test
    void theCoresTheStepsLeaveIdle() {
        // A GPU executor with 8 cores and one task: the step's host thread holds one core.
        assertEquals(7, DecodeThreads.spare(8, 1, 1));
        // 16 cores, two CPU tasks of 4 OpenMP threads each.
        assertEquals(8, DecodeThreads.spare(16, 2, 4));
    }

    @Test
    void atLeastOneWhenTheStepsTakeEveryCore() {
        // local[2] on 2 cores, OMP_NUM_THREADS=1 per task; and a CPU task with every core.
        assertEquals(1, DecodeThreads.spare(2, 2, 1));
        assertEquals(1, DecodeThreads.spare(2, 1, 2));
    }
}

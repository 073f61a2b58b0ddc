package dev.proxyanchor.spark.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * Samples JVM heap use and JavaCPP's off-heap accounting (ND4J's buffers) every few milliseconds and keeps the
 * peaks. {@code Pointer.physicalBytes()} is the process's resident memory, {@code Pointer.totalBytes()} what
 * JavaCPP allocated.
 */
public final class MemoryPeak implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 20;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong heapBytes = new AtomicLong();
    private final AtomicLong offHeapBytes = new AtomicLong();
    private final AtomicLong physicalBytes = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    private MemoryPeak() {
        sampler = new Thread(this::sampleUntilClosed, "memory-peak");
        sampler.setDaemon(true);
    }

    public static MemoryPeak start() {
        MemoryPeak peak = new MemoryPeak();
        peak.sample();
        peak.sampler.start();
        return peak;
    }

    private void sampleUntilClosed() {
        while (running) {
            sample();
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void sample() {
        heapBytes.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        offHeapBytes.accumulateAndGet(Pointer.totalBytes(), Math::max);
        physicalBytes.accumulateAndGet(Pointer.physicalBytes(), Math::max);
    }

    public long heapBytes() {
        return heapBytes.get();
    }

    public long offHeapBytes() {
        return offHeapBytes.get();
    }

    public long physicalBytes() {
        return physicalBytes.get();
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        sample();
    }
}

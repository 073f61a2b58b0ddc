package dev.proxyanchor.spark.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Samples memory every few milliseconds and keeps the peaks: JVM heap in use, ND4J's off-heap buffers (libnd4j's
 * own counter: its allocations bypass JavaCPP, so {@code Pointer.totalBytes()} does not see them), what JavaCPP
 * allocated itself ({@code Pointer.totalBytes()}) and the process's resident memory ({@code Pointer.physicalBytes()}).
 */
public final class MemoryPeak implements AutoCloseable {

    private static final long SAMPLE_MILLIS = 20;

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong heapBytes = new AtomicLong();
    private final AtomicLong nd4jBytes = new AtomicLong();
    private final AtomicLong javacppBytes = new AtomicLong();
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
        nd4jBytes.accumulateAndGet(Nd4j.getEnvironment().getDeviceCouner(0), Math::max);
        javacppBytes.accumulateAndGet(Pointer.totalBytes(), Math::max);
        physicalBytes.accumulateAndGet(Pointer.physicalBytes(), Math::max);
    }

    public long heapBytes() {
        return heapBytes.get();
    }

    public long nd4jBytes() {
        return nd4jBytes.get();
    }

    public long javacppBytes() {
        return javacppBytes.get();
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

package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.model.UserInputException;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the running Spark task's thread to the GPU Spark assigned it ({@code spark.task.resource.gpu.amount=1}),
 * so that each executor's ND4J CUDA backend works on its own device. Without a GPU assignment nothing happens (CPU
 * executors, local mode). A GPU assignment with ND4J's CPU backend is a build mistake and stops the task with the fix.
 */
public final class GpuBinding {

    private static final Logger log = LoggerFactory.getLogger(GpuBinding.class);

    private GpuBinding() {
    }

    /** The device index Spark assigned the current task, or -1 when it assigned none. */
    public static int assignedDevice() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return -1;
        }
        scala.Option<ResourceInformation> gpu = task.resources().get("gpu");
        if (gpu.isEmpty() || gpu.get().addresses().length == 0) {
            return -1;
        }
        return Integer.parseInt(gpu.get().addresses()[0].trim());
    }

    /** Binds the calling thread to the assigned GPU; a no-op without one. */
    public static void bindCurrentThread() {
        int device = assignedDevice();
        if (device < 0) {
            return;
        }
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        requireCudaBackend(device, backend);
        Nd4j.getAffinityManager().unsafeSetDevice(device);
        log.info("task {} on GPU {} ({})", TaskContext.get().taskAttemptId(), device, backend);
    }

    static void requireCudaBackend(int device, String backendName) {
        if (!backendName.toLowerCase(Locale.ROOT).contains("cuda")) {
            throw new UserInputException("Spark assigned GPU " + device + " to this task, but ND4J runs its "
                    + backendName + ": the job jar was built without CUDA. Build it with "
                    + "'mvn -Pjob-jar,cuda package' (or submit without --gpu)");
        }
    }
}

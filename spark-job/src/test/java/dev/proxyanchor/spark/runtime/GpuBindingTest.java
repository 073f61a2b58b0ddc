package dev.proxyanchor.spark.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.spark.SharedSpark;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuBindingTest {

    @Test
    void aGpuTaskOnTheCpuBackendIsStoppedWithTheFix() {
        UserInputException e = assertThrows(UserInputException.class,
                () -> GpuBinding.requireCudaBackend(1, "CpuBackend"));
        assertTrue(e.getMessage().contains("mvn -Pjob-jar,cuda package"), e.getMessage());
        GpuBinding.requireCudaBackend(0, "CudaBackend");
    }

    @Test
    void tasksWithoutAGpuAssignmentAreLeftAlone() {
        assertEquals(-1, GpuBinding.assignedDevice(), "outside a task");
        List<Integer> devices = SharedSpark.jsc().parallelize(List.of(1, 2), 2)
                .map(x -> {
                    GpuBinding.bindCurrentThread();
                    return GpuBinding.assignedDevice();
                })
                .collect();
        assertEquals(List.of(-1, -1), devices);
    }
}

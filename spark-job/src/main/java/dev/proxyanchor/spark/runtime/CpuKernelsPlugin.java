package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.model.runtime.CpuKernels;
import java.util.Map;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link CpuKernels#configure()} when each executor starts, before any task loads ND4J, so that every executor
 * picks the CPU build its own host can run (hosts of a cluster may differ), and binds every task's thread to the GPU
 * Spark assigned it, if any ({@link GpuBinding}).
 */
public final class CpuKernelsPlugin implements SparkPlugin {

    @Override
    public DriverPlugin driverPlugin() {
        return null;
    }

    @Override
    public ExecutorPlugin executorPlugin() {
        return new ExecutorPlugin() {
            @Override
            public void onTaskStart() {
                GpuBinding.bindCurrentThread();
            }

            @Override
            public void init(PluginContext ctx, Map<String, String> extraConf) {
                CpuKernels.configure();
                // A cluster executor's log says what it runs on; in local mode the executor is the driver, whose
                // console already says it. ("driver" is the id Spark gives the local-mode executor.)
                var log = LoggerFactory.getLogger(CpuKernelsPlugin.class);
                if ("driver".equals(ctx.executorID())) {
                    log.debug("executor driver: {}", CpuKernels.describe());
                } else {
                    log.info("executor {}: {}", ctx.executorID(), CpuKernels.describe());
                }
            }
        };
    }
}

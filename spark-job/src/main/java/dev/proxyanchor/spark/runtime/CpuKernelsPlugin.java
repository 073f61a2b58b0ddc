package dev.proxyanchor.spark.runtime;

import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.runtime.CpuKernels;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.SparkContext;
import org.apache.spark.api.plugin.DriverPlugin;
import org.apache.spark.api.plugin.ExecutorPlugin;
import org.apache.spark.api.plugin.PluginContext;
import org.apache.spark.api.plugin.SparkPlugin;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When each executor starts, before any task loads ND4J: refuses GPUs ND4J's CUDA build cannot run on
 * ({@link GpuSupport}), then runs {@link CpuKernels#configure()} so that every executor picks the CPU build its own
 * host can run (hosts of a cluster may differ); binds every task's thread to the GPU Spark assigned it, if any
 * ({@link GpuBinding}).
 *
 * <p>An executor that refuses its GPU tells the driver, which records the refusal and stops the run (the one
 * {@code error:} line the job prints, exit code 3), and then fails to start, so that ND4J never runs on that GPU.
 */
public final class CpuKernelsPlugin implements SparkPlugin {

    private static final Logger log = LoggerFactory.getLogger(CpuKernelsPlugin.class);

    @Override
    public DriverPlugin driverPlugin() {
        return new DriverPlugin() {
            private SparkContext sc;

            @Override
            public Map<String, String> init(SparkContext sc, PluginContext ctx) {
                this.sc = sc;
                GpuSupport.clearReported();
                return Map.of();
            }

            @Override
            public Object receive(Object message) {
                if (message instanceof UserInputException refusal) {
                    GpuSupport.report(refusal);
                    // Not on this RPC thread: stopping the context waits for the RPC threads to finish.
                    new Thread(sc::stop, "stop after an unusable GPU").start();
                }
                return Boolean.TRUE;
            }
        };
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
                Optional<UserInputException> refusal = GpuSupport.refusal(gpuAddresses(ctx.resources()),
                        GpuSupport::askNvidiaSmi, log::warn);
                if (refusal.isPresent()) {
                    log.error("executor {}: {}", ctx.executorID(), refusal.get().getMessage());
                    try {
                        ctx.ask(refusal.get());
                    } catch (Exception e) {
                        log.error("could not tell the driver: {}", e.toString());
                    }
                    throw refusal.get();
                }
                CpuKernels.configure();
                // A cluster executor's log says what it runs on; in local mode the executor is the driver, whose
                // console already says it. ("driver" is the id Spark gives the local-mode executor.)
                if ("driver".equals(ctx.executorID())) {
                    log.debug("executor driver: {}", CpuKernels.describe());
                } else {
                    log.info("executor {}: {}", ctx.executorID(), CpuKernels.describe());
                }
            }
        };
    }

    private static List<Integer> gpuAddresses(Map<String, ResourceInformation> resources) {
        ResourceInformation gpus = resources.get("gpu");
        return gpus == null ? List.of()
                : Arrays.stream(gpus.addresses()).map(a -> Integer.parseInt(a.trim())).toList();
    }
}

package dev.proxyanchor.model.layers.onednn;

import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.stream;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's oneDNN CPU engine, loaded on first use from JavaCPP's {@code dnnl} natives, and one stream per thread
 * (a oneDNN stream must not be shared between threads; Spark runs one training copy per task thread).
 *
 * <p>Used only on ND4J's CPU backend: under CUDA, DL4J's cuDNN helpers do the work. The system property
 * {@value #PROPERTY}{@code =false} turns it off (DL4J's own convolution path then runs), for comparison or as an
 * escape hatch.
 */
public final class OneDnn {

    public static final String PROPERTY = "proxyanchor.onednn.conv";

    /**
     * {@value}{@code =false} keeps every feature map in plain NCHW between convolutions (see
     * {@link ActivationLayout}), for comparison or as an escape hatch.
     */
    public static final String HANDOFF_PROPERTY = "proxyanchor.onednn.handoff";

    private static final Logger log = LoggerFactory.getLogger(OneDnn.class);
    private static Boolean usable;
    private static engine cpu;
    private static final ThreadLocal<stream> STREAMS = ThreadLocal.withInitial(() -> new stream(cpu));

    private OneDnn() {
    }

    /** Whether convolutions should run on oneDNN in this JVM; decided once, with the reason logged. */
    public static synchronized boolean usable() {
        if (usable == null) {
            usable = decide();
        }
        return usable;
    }

    private static boolean decide() {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            log.info("oneDNN convolutions off ({}=false): DL4J's own convolution path runs", PROPERTY);
            return false;
        }
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        if (!backend.startsWith("Cpu")) {
            return false;
        }
        try {
            cpu = new engine(engine.kind.cpu, 0);
            return true;
        } catch (Throwable e) {
            log.warn("oneDNN natives did not load ({}); convolutions fall back to DL4J's path, which is slower", e.toString());
            return false;
        }
    }

    /**
     * Whether a layer created now should use oneDNN: {@link #usable()}, and DL4J's switch for all layer helpers
     * ({@code org.eclipse.deeplearning4j.helpers.disable}) not set, read at creation as DL4J's own helpers do.
     */
    public static boolean forNewLayer() {
        return usable() && "false".equalsIgnoreCase(
                System.getProperty(org.deeplearning4j.config.DL4JSystemProperties.DISABLE_HELPER_PROPERTY, "true"));
    }

    static engine engine() {
        return cpu;
    }

    static stream stream() {
        return STREAMS.get();
    }
}

package dev.proxyanchor.model.layers;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * How a BatchNorm on frozen statistics comes to run inside the convolution before it (see
 * {@link dev.proxyanchor.model.kernels.BatchNormFold} for the maths). Two steps:
 * <ol>
 *   <li>when a graph is configured, {@link #markFoldable} marks each {@link TorchBatchNorm} whose only input is a
 *       {@link OneDnnConvolution} that feeds nothing else: only the graph configuration knows who reads what;</li>
 *   <li>at run time the two layer implementations find each other: DL4J layers never see one another, but the array
 *       a convolution returns is the very array its BatchNorm receives. An unfolded convolution offers its output
 *       here ({@link #offer}); a marked, frozen BatchNorm looks its input up ({@link #producerOf}) and, when found,
 *       the pair is linked. From the next forward pass on, the convolution computes the BatchNorm's (and ReLU's)
 *       output and the BatchNorm passes it on.</li>
 * </ol>
 * Offers are per thread (a network runs on one thread at a time), few (only unfolded convolutions make them, and
 * the last {@value #REMEMBERED} are kept) and weak (they keep neither the arrays nor the layers alive).
 *
 * <p>The system property {@value #PROPERTY}{@code =false} keeps every BatchNorm a separate pass, for comparison.
 */
public final class BatchNormFolding {

    public static final String PROPERTY = "proxyanchor.batchnorm.fold";
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY));

    private static final int REMEMBERED = 64;
    private static final ThreadLocal<ArrayDeque<Offer>> OFFERS = ThreadLocal.withInitial(ArrayDeque::new);

    /** {@code handoff}: a folded convolution's output, offered to the one convolution that reads it. */
    private record Offer(WeakReference<INDArray> output, WeakReference<OneDnnConvolutionImpl> convolution,
                         boolean handoff) {
    }

    private BatchNormFolding() {
    }

    /**
     * Marks every BatchNorm of {@code conf} that reads, alone, the output of a {@link OneDnnConvolution} as foldable
     * (and clears the mark elsewhere), and among those the ones whose own output only one convolution reads. Whether
     * it folds at run time also depends on its statistics being frozen.
     */
    public static void markFoldable(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (layerOf(vertex.getValue()) instanceof TorchBatchNorm bn) {
                List<String> from = inputs.get(vertex.getKey());
                bn.setFoldable(from != null && from.size() == 1
                        && layerOf(conf.getVertices().get(from.get(0))) instanceof OneDnnConvolution
                        && readers(conf, from.get(0)) == 1);
                bn.setReadByOneConvolution(bn.isFoldable() && readOnlyByAConvolution(conf, vertex.getKey()));
            }
        }
    }

    private static Object layerOf(GraphVertex vertex) {
        return vertex instanceof LayerVertex layerVertex ? layerVertex.getLayerConf().getLayer() : null;
    }

    private static boolean readOnlyByAConvolution(ComputationGraphConfiguration conf, String vertex) {
        return readers(conf, vertex) == 1 && conf.getVertexInputs().entrySet().stream()
                .anyMatch(in -> in.getValue().contains(vertex)
                        && layerOf(conf.getVertices().get(in.getKey())) instanceof OneDnnConvolution);
    }

    /** How many vertices read {@code vertex}'s output, a network output counting as one. */
    private static long readers(ComputationGraphConfiguration conf, String vertex) {
        long readers = conf.getVertexInputs().values().stream().filter(in -> in.contains(vertex)).count();
        return readers + (conf.getNetworkOutputs().contains(vertex) ? 1 : 0);
    }

    /** A convolution that could fold the BatchNorm after it returned {@code output} from an unfolded forward pass. */
    static void offer(INDArray output, OneDnnConvolutionImpl convolution) {
        remember(new Offer(new WeakReference<>(output), new WeakReference<>(convolution), false));
    }

    /**
     * A folded convolution whose BatchNorm is {@link TorchBatchNorm#isReadByOneConvolution() read by one convolution}
     * returned {@code output} (the BatchNorm passes it on): that reader finds it with {@link #handoffWriterOf}.
     */
    static void offerHandoff(INDArray output, OneDnnConvolutionImpl convolution) {
        remember(new Offer(new WeakReference<>(output), new WeakReference<>(convolution), true));
    }

    private static void remember(Offer offer) {
        if (!ENABLED) {
            return;
        }
        ArrayDeque<Offer> offers = OFFERS.get();
        if (offers.size() == REMEMBERED) {
            offers.removeFirst();
        }
        offers.addLast(offer);
    }

    /** The convolution whose offered output is {@code input} itself (not an equal array), else null. */
    static OneDnnConvolutionImpl producerOf(INDArray input) {
        return find(input, false);
    }

    /** The folded convolution that offered {@code input} itself for handing over, else null. */
    static OneDnnConvolutionImpl handoffWriterOf(INDArray input) {
        return find(input, true);
    }

    private static OneDnnConvolutionImpl find(INDArray input, boolean handoff) {
        Iterator<Offer> offers = OFFERS.get().descendingIterator();
        while (offers.hasNext()) {
            Offer offer = offers.next();
            if (offer.handoff() == handoff && offer.output().get() == input) {
                offers.remove();
                return offer.convolution().get();
            }
        }
        return null;
    }
}

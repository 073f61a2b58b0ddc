package dev.proxyanchor.model.layers;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * <p>The same marks and offers link the vertices that hand feature maps over in oneDNN's own layout
 * ({@link LayoutWriter}): a folded convolution and the one convolution or residual sum that reads its map, and a
 * residual sum ({@link ResidualRelu#getHandoffReaders()}) and its readers.
 *
 * <p>The system property {@value #PROPERTY}{@code =false} keeps every BatchNorm a separate pass, for comparison.
 */
public final class BatchNormFolding {

    public static final String PROPERTY = "proxyanchor.batchnorm.fold";
    private static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty(PROPERTY));

    private static final int REMEMBERED = 64;
    private static final ThreadLocal<ArrayDeque<Offer>> OFFERS = ThreadLocal.withInitial(ArrayDeque::new);

    /** What an offer is for: folding, or handing a map over to its one reader or (shared) to several. */
    private enum Kind { FOLD, HANDOFF, SHARED_HANDOFF }

    private record Offer(WeakReference<INDArray> output, WeakReference<Object> writer, Kind kind) {
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
        markResidualHandoffs(conf);
    }

    /**
     * Marks the residual sums whose maps can stay in oneDNN's layout: each input a foldable BatchNorm that the sum
     * alone reads or another such sum, each reader a convolution or another such sum. Starts from every sum and drops
     * those that break a condition until none does (a sum read by a pooling layer drops, then the sums that feed it).
     */
    private static void markResidualHandoffs(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Set<String> kept = new HashSet<>();
        conf.getVertices().forEach((name, vertex) -> {
            if (vertex instanceof ResidualRelu) {
                kept.add(name);
            }
        });
        boolean dropped = true;
        while (dropped) {
            dropped = false;
            for (Iterator<String> it = kept.iterator(); it.hasNext(); ) {
                String sum = it.next();
                boolean inputsFit = inputs.get(sum).stream().allMatch(in -> kept.contains(in)
                        || layerOf(conf.getVertices().get(in)) instanceof TorchBatchNorm bn && bn.isFoldable()
                        && readers(conf, in) == 1);
                boolean readersFit = !conf.getNetworkOutputs().contains(sum) && readersOf(conf, sum).stream()
                        .allMatch(r -> kept.contains(r) || layerOf(conf.getVertices().get(r)) instanceof OneDnnConvolution);
                if (!inputsFit || !readersFit) {
                    it.remove();
                    dropped = true;
                }
            }
        }
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (vertex.getValue() instanceof ResidualRelu sum) {
                sum.setHandoffReaders(kept.contains(vertex.getKey()) ? readersOf(conf, vertex.getKey()).size() : 0);
            } else if (layerOf(vertex.getValue()) instanceof TorchBatchNorm bn) {
                List<String> readers = readersOf(conf, vertex.getKey());
                bn.setReadByOneResidualSum(bn.isFoldable() && readers.size() == 1 && kept.contains(readers.get(0))
                        && !conf.getNetworkOutputs().contains(vertex.getKey()));
            }
        }
    }

    private static List<String> readersOf(ComputationGraphConfiguration conf, String vertex) {
        return conf.getVertexInputs().entrySet().stream().filter(in -> in.getValue().contains(vertex))
                .map(Map.Entry::getKey).toList();
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
        remember(new Offer(new WeakReference<>(output), new WeakReference<>(convolution), Kind.FOLD));
    }

    /**
     * A folded convolution whose BatchNorm's one reader may take the map in oneDNN's layout
     * ({@link TorchBatchNorm#isReadByOneConvolution()}, {@link TorchBatchNorm#isReadByOneResidualSum()}) returned
     * {@code output} (the BatchNorm passes it on): that reader finds it with {@link #handoffWriterOf}.
     */
    static void offerHandoff(INDArray output, OneDnnConvolutionImpl convolution) {
        remember(new Offer(new WeakReference<>(output), new WeakReference<>(convolution), Kind.HANDOFF));
    }

    /** A marked residual sum returned {@code output}: each of its readers finds it with {@link #handoffWriterOf}. */
    static void offerSharedHandoff(INDArray output, ResidualReluImpl sum) {
        remember(new Offer(new WeakReference<>(output), new WeakReference<>(sum), Kind.SHARED_HANDOFF));
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
        return (OneDnnConvolutionImpl) find(input, Kind.FOLD);
    }

    /** The vertex that offered {@code input} itself for handing over, else null. */
    static LayoutWriter handoffWriterOf(INDArray input) {
        Object writer = find(input, Kind.HANDOFF);
        return (LayoutWriter) (writer != null ? writer : find(input, Kind.SHARED_HANDOFF));
    }

    private static Object find(INDArray input, Kind kind) {
        Iterator<Offer> offers = OFFERS.get().descendingIterator();
        while (offers.hasNext()) {
            Offer offer = offers.next();
            if (offer.kind() == kind && offer.output().get() == input) {
                if (kind != Kind.SHARED_HANDOFF) {
                    offers.remove();
                }
                return offer.writer().get();
            }
        }
        return null;
    }
}

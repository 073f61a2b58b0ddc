package dev.proxyanchor.spark.data;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.spark.knn.Embedding;
import dev.proxyanchor.spark.runtime.GpuBinding;
import dev.proxyanchor.spark.train.BatchDecoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Embeds images on the executors: the network travels once per executor as a broadcast (without optimizer state),
 * each partition decodes its images with the evaluation transform batch by batch, the next batches on the executor's
 * decode pool while the current one is embedded, and emits one {@link Embedding} per image. At most
 * {@link #BATCHES_AHEAD} batches beyond the current one are ever decoded in memory.
 */
public final class DistributedEmbedder {

    /** Batches of a partition decoded ahead of the one being embedded. */
    static final int BATCHES_AHEAD = 2;

    /** An image to embed: id (its index in the evaluated set), URI and label. */
    public record Item(long id, String uri, int label) implements java.io.Serializable {
    }

    private DistributedEmbedder() {
    }

    public static JavaRDD<Embedding> embed(JavaSparkContext jsc, ComputationGraph graph, List<Item> items,
                                           BatchDecoder decoder, int batchSize, int partitions) {
        Broadcast<byte[]> model = jsc.broadcast(serialise(graph));
        return jsc.parallelize(items, Math.max(1, Math.min(partitions, items.size())))
                .mapPartitions(part -> {
                    GpuBinding.bindCurrentThread();
                    return new Batches(part, model, decoder, batchSize);
                });
    }

    private static byte[] serialise(ComputationGraph graph) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ModelSerializer.writeModel(graph, bytes, false);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the network for the executors", e);
        }
    }

    /** Lazily decodes and embeds one batch of a partition at a time. */
    private static final class Batches implements Iterator<Embedding> {
        private final Iterator<Item> items;
        private final Broadcast<byte[]> model;
        private final BatchDecoder decoder;
        private final int batchSize;
        private ComputationGraph graph;
        private Iterator<Embedding> current = java.util.Collections.emptyIterator();
        private final Deque<Map.Entry<List<Item>, PendingBatch>> ahead = new ArrayDeque<>();

        Batches(Iterator<Item> items, Broadcast<byte[]> model, BatchDecoder decoder, int batchSize) {
            this.items = items;
            this.model = model;
            this.decoder = decoder;
            this.batchSize = batchSize;
        }

        @Override
        public boolean hasNext() {
            while (!current.hasNext() && (items.hasNext() || !ahead.isEmpty())) {
                current = nextBatch().iterator();
            }
            return current.hasNext();
        }

        @Override
        public Embedding next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return current.next();
        }

        private List<Embedding> nextBatch() {
            DecodeAhead pool = DecodeAhead.shared(0);
            while (ahead.size() <= BATCHES_AHEAD && items.hasNext()) {
                List<Item> batch = new ArrayList<>(batchSize);
                while (items.hasNext() && batch.size() < batchSize) {
                    batch.add(items.next());
                }
                String[] uris = batch.stream().map(Item::uri).toArray(String[]::new);
                ahead.add(Map.entry(batch, pool.submit(decoder, uris, new long[uris.length], false, false)));
            }
            Map.Entry<List<Item>, PendingBatch> next = ahead.poll();
            List<Item> batch = next.getKey();
            try {
                DecodedBatch decoded;
                try {
                    decoded = next.getValue().await();
                } catch (RuntimeException e) {
                    ahead.forEach(pending -> pending.getValue().cancel());
                    throw e;
                }
                long[] shape = decoder.imageShape(false);
                INDArray images = Nd4j.create(decoded.features(), new long[] {batch.size(), shape[0], shape[1],
                        shape[2]}, 'c');
                float[][] rows = EmbeddingNetwork.embed(network(), images).toFloatMatrix();
                List<Embedding> out = new ArrayList<>(batch.size());
                for (int i = 0; i < batch.size(); i++) {
                    out.add(new Embedding(batch.get(i).id(), batch.get(i).label(), rows[i]));
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private ComputationGraph network() throws IOException {
            if (graph == null) {
                graph = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()), false);
            }
            return graph;
        }
    }
}

package dev.proxyanchor.spark.knn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The work of one task: a block of queries against a list of gallery blocks (a gallery shard). Each block pair
 * is one ND4J GEMM into a reusable off-heap score matrix, copied once into a reusable {@code float[]} and fed row
 * by row to {@link TopK}. Memory is bounded by the block sizes and K, never by the gallery size.
 *
 * <p>Shared by the Spark pass ({@link BlockKnn}) and the single-process baseline ({@link FlatSearch}). Not thread
 * safe: one instance per thread.
 */
public final class BlockSearch implements AutoCloseable {

    private final int dim;
    private final int k;
    private final Map<Integer, INDArray> galleryArrays = new HashMap<>();
    private final Map<Long, INDArray> scoreArrays = new HashMap<>();
    private float[] scoreBuffer = new float[0];
    private long gemmNanos;

    public BlockSearch(int dim, int k) {
        this.dim = dim;
        this.k = k;
    }

    /**
     * The top-K of every query of {@code queries} within {@code shard}. With {@code selfRetrieval} the gallery
     * row whose index equals the query's index is skipped (the query itself, even if duplicates exist). With
     * {@code exactScores} every returned score is the exact one (needed to merge lists of several shards);
     * otherwise only near-ties are rescored, which decides the same order.
     */
    public List<NeighbourList> search(EmbeddingBlock queries, List<EmbeddingBlock> shard, boolean selfRetrieval,
            boolean exactScores) {
        int qn = queries.rows();
        TopK topK = new TopK(qn, k, errorBounds(queries, shard));
        int[] shardOffsets = new int[shard.size() + 1];
        try (INDArray queryMatrix = offHeap(queries)) {
            for (int b = 0; b < shard.size(); b++) {
                EmbeddingBlock gallery = shard.get(b);
                shardOffsets[b + 1] = shardOffsets[b] + gallery.rows();
                float[] scores = gemm(queryMatrix, gallery);
                int gn = gallery.rows();
                for (int q = 0; q < qn; q++) {
                    long offsetOfSelf = queries.firstIndex() + q - gallery.firstIndex();
                    int excluded = selfRetrieval && offsetOfSelf >= 0 && offsetOfSelf < gn ? (int) offsetOfSelf : -1;
                    topK.offer(q, scores, q * gn, gn, shardOffsets[b], excluded);
                }
            }
        }
        long[] queryIds = new long[qn];
        int[] queryLabels = new int[qn];
        for (int q = 0; q < qn; q++) {
            queryIds[q] = queries.id(q);
            queryLabels[q] = queries.label(q);
        }
        return topK.finish(queryIds, queryLabels, shardOffsets[shard.size()],
                new ShardGallery(queries, shard, shardOffsets), exactScores);
    }

    /**
     * Per query, a bound on the GEMM error of its scores against any row of the shard: it scales with the query's
     * norm and the largest gallery norm, which matters when vectors are not normalised.
     */
    private float[] errorBounds(EmbeddingBlock queries, List<EmbeddingBlock> shard) {
        double galleryNorm = 0;
        for (EmbeddingBlock block : shard) {
            for (int r = 0; r < block.rows(); r++) {
                galleryNorm = Math.max(galleryNorm, ExactScores.norm(block.vectors(), r * dim, dim));
            }
        }
        float[] bounds = new float[queries.rows()];
        for (int q = 0; q < bounds.length; q++) {
            bounds[q] = ExactScores.gemmErrorBound(dim, ExactScores.norm(queries.vectors(), q * dim, dim),
                    galleryNorm);
        }
        return bounds;
    }

    private float[] gemm(INDArray queryMatrix, EmbeddingBlock gallery) {
        int qn = (int) queryMatrix.rows();
        int gn = gallery.rows();
        INDArray galleryMatrix = galleryArrays.computeIfAbsent(gn,
                rows -> Nd4j.create(DataType.FLOAT, new long[] {rows, dim}, 'c'));
        new FloatPointer(galleryMatrix.data().addressPointer()).put(gallery.vectors(), 0, gn * dim);
        INDArray scores = scoreArrays.computeIfAbsent(((long) qn << 32) | gn,
                key -> Nd4j.create(DataType.FLOAT, new long[] {qn, gn}, 'c'));
        long start = System.nanoTime();
        Nd4j.gemm(queryMatrix, galleryMatrix, scores, false, true, 1.0, 0.0);
        gemmNanos += System.nanoTime() - start;
        if (scoreBuffer.length < qn * gn) {
            scoreBuffer = new float[qn * gn];
        }
        new FloatPointer(scores.data().addressPointer()).get(scoreBuffer, 0, qn * gn);
        return scoreBuffer;
    }

    private INDArray offHeap(EmbeddingBlock block) {
        INDArray matrix = Nd4j.create(DataType.FLOAT, new long[] {block.rows(), dim}, 'c');
        new FloatPointer(matrix.data().addressPointer()).put(block.vectors(), 0, block.rows() * dim);
        return matrix;
    }

    /** Time spent inside GEMM calls so far (for the benchmark's GFLOP/s). */
    public long gemmNanos() {
        return gemmNanos;
    }

    @Override
    public void close() {
        galleryArrays.values().forEach(INDArray::close);
        scoreArrays.values().forEach(INDArray::close);
        galleryArrays.clear();
        scoreArrays.clear();
    }

    /** Resolves the shard-wide row positions {@link TopK} stores back to gallery blocks. */
    private static final class ShardGallery implements TopK.Gallery {
        private final EmbeddingBlock queries;
        private final List<EmbeddingBlock> shard;
        private final int[] offsets;
        private int block;

        ShardGallery(EmbeddingBlock queries, List<EmbeddingBlock> shard, int[] offsets) {
            this.queries = queries;
            this.shard = shard;
            this.offsets = offsets;
        }

        private int locate(int row) {
            if (row < offsets[block] || row >= offsets[block + 1]) {
                int at = Arrays.binarySearch(offsets, row);
                // Blocks are never empty, so the offsets are strictly increasing.
                block = at >= 0 ? at : -at - 2;
            }
            return row - offsets[block];
        }

        @Override
        public long id(int row) {
            int r = locate(row);
            return shard.get(block).id(r);
        }

        @Override
        public int label(int row) {
            int r = locate(row);
            return shard.get(block).label(r);
        }

        @Override
        public float exactScore(int query, int row) {
            int r = locate(row);
            EmbeddingBlock g = shard.get(block);
            return ExactScores.score(queries.vectors(), query * queries.dim(), g.vectors(), r * g.dim(), g.dim());
        }
    }
}

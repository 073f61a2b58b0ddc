package dev.proxyanchor.spark.knn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact k-nearest-neighbour search by inner product (cosine on normalised vectors), distributed over the queries:
 * the gallery is cut into blocks and broadcast once (N x D floats per executor, never N x N), each query
 * partition is cut into blocks, and every (query block, gallery block) pair is one GEMM whose scores feed each
 * query's bounded top-K, merged across gallery blocks as they come. In self-retrieval a query is excluded by its
 * id, not by dropping the first hit. Ties break by smaller gallery id, so results do not depend on block sizes or
 * partitioning.
 */
public final class BlockKnn {

    public static final int DEFAULT_QUERY_BLOCK = 1024;
    public static final int DEFAULT_GALLERY_BLOCK = 4096;

    private BlockKnn() {
    }

    /**
     * @param gallery     normalised gallery vectors
     * @param excludeSelf self-retrieval: a gallery item with the query's id is never a neighbour
     */
    public static JavaRDD<Neighbours> search(JavaSparkContext jsc, JavaRDD<Embedding> queries,
                                             List<Embedding> gallery, int k, boolean excludeSelf,
                                             int queryBlock, int galleryBlock) {
        Broadcast<List<GalleryBlock>> blocks = jsc.broadcast(cut(gallery, galleryBlock));
        return queries.mapPartitions(part -> searchPartition(part, blocks.value(), k, excludeSelf, queryBlock));
    }

    static List<GalleryBlock> cut(List<Embedding> gallery, int blockSize) {
        List<GalleryBlock> blocks = new ArrayList<>();
        int dim = gallery.isEmpty() ? 0 : gallery.get(0).vector().length;
        for (int start = 0; start < gallery.size(); start += blockSize) {
            int rows = Math.min(blockSize, gallery.size() - start);
            long[] ids = new long[rows];
            int[] labels = new int[rows];
            float[] vectors = new float[rows * dim];
            for (int r = 0; r < rows; r++) {
                Embedding e = gallery.get(start + r);
                ids[r] = e.id();
                labels[r] = e.label();
                System.arraycopy(e.vector(), 0, vectors, r * dim, dim);
            }
            blocks.add(new GalleryBlock(ids, labels, vectors, dim));
        }
        return blocks;
    }

    /** Lazily, one query block at a time: only one block's top-K lists are alive at once. */
    static Iterator<Neighbours> searchPartition(Iterator<Embedding> queries, List<GalleryBlock> gallery, int k,
                                                boolean excludeSelf, int queryBlock) {
        List<INDArray> galleryT = new ArrayList<>(gallery.size());
        for (GalleryBlock block : gallery) {
            // The transpose of a row-major block is a column-major view: no copy, GEMM reads it as it is.
            galleryT.add(Nd4j.create(block.vectors(), new long[] {block.rows(), block.dim()}, 'c').transpose());
        }
        return new Iterator<>() {
            private Iterator<Neighbours> current = java.util.Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext() && queries.hasNext()) {
                    List<Embedding> block = new ArrayList<>(queryBlock);
                    while (queries.hasNext() && block.size() < queryBlock) {
                        block.add(queries.next());
                    }
                    List<Neighbours> out = new ArrayList<>(block.size());
                    searchBlock(block, gallery, galleryT, k, excludeSelf, out);
                    current = out.iterator();
                }
                return current.hasNext();
            }

            @Override
            public Neighbours next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                return current.next();
            }
        };
    }

    private static void searchBlock(List<Embedding> queries, List<GalleryBlock> gallery, List<INDArray> galleryT,
                                    int k, boolean excludeSelf, List<Neighbours> out) {
        int rows = queries.size();
        int dim = queries.get(0).vector().length;
        float galleryNorm = maxNorm(gallery);
        float[] q = new float[rows * dim];
        ExactTopK[] best = new ExactTopK[rows];
        for (int r = 0; r < rows; r++) {
            float[] v = queries.get(r).vector();
            System.arraycopy(v, 0, q, r * dim, dim);
            best[r] = new ExactTopK(k, slack(dim, norm(v), galleryNorm));
        }
        INDArray queryMatrix = Nd4j.create(q, new long[] {rows, dim}, 'c');
        for (int b = 0; b < gallery.size(); b++) {
            GalleryBlock g = gallery.get(b);
            INDArray scores = Nd4j.createUninitialized(DataType.FLOAT, new long[] {rows, g.rows()}, 'c');
            Nd4j.gemm(queryMatrix, galleryT.get(b), scores, false, false, 1.0, 0.0);
            float[] s = scores.data().asFloat();
            int cols = g.rows();
            long[] ids = g.ids();
            for (int r = 0; r < rows; r++) {
                long queryId = queries.get(r).id();
                ExactTopK top = best[r];
                float cutoff = top.cutoff();
                int offset = r * cols;
                for (int c = 0; c < cols; c++) {
                    float score = s[offset + c];
                    if (score >= cutoff && !(excludeSelf && ids[c] == queryId)) {
                        top.offer(score, ids[c], g.labels()[c], b, c);
                        cutoff = top.cutoff();
                    }
                }
            }
        }
        for (int r = 0; r < rows; r++) {
            out.add(best[r].finish(queries.get(r), gallery));
        }
    }

    /** Twice the worst-case rounding error of a float dot product of length dim (Higham: dim * u * |q| |g|). */
    static float slack(int dim, float queryNorm, float galleryNorm) {
        double u = Math.ulp(1.0f) / 2;
        return (float) (2 * dim * u * queryNorm * galleryNorm * 1.01) + Float.MIN_NORMAL;
    }

    private static float norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return (float) Math.sqrt(s);
    }

    private static float maxNorm(List<GalleryBlock> gallery) {
        float max = 0;
        for (GalleryBlock g : gallery) {
            for (int r = 0; r < g.rows(); r++) {
                double s = 0;
                for (int d = 0; d < g.dim(); d++) {
                    float x = g.vectors()[r * g.dim() + d];
                    s += (double) x * x;
                }
                max = Math.max(max, (float) Math.sqrt(s));
            }
        }
        return max;
    }
}

package dev.proxyanchor.spark.knn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import scala.Tuple2;

/** Cuts runs of consecutively indexed embeddings into {@link EmbeddingBlock}s. */
final class Blocks {

    private Blocks() {
    }

    /**
     * Blocks of at most {@code rows} embeddings with consecutive indices from (embedding, index) pairs, as
     * {@code zipWithIndex} gives them within a partition; a gap in the indices starts a new block.
     */
    static List<EmbeddingBlock> cut(Iterator<Tuple2<Embedding, Long>> indexed, int dim, int rows) {
        List<EmbeddingBlock> blocks = new ArrayList<>();
        List<Embedding> pending = new ArrayList<>(rows);
        long firstIndex = -1;
        while (indexed.hasNext()) {
            Tuple2<Embedding, Long> next = indexed.next();
            if (!pending.isEmpty() && next._2() != firstIndex + pending.size()) {
                blocks.add(EmbeddingBlock.of(firstIndex, dim, pending));
                pending.clear();
            }
            if (pending.isEmpty()) {
                firstIndex = next._2();
            }
            pending.add(next._1());
            if (pending.size() == rows) {
                blocks.add(EmbeddingBlock.of(firstIndex, dim, pending));
                pending.clear();
            }
        }
        if (!pending.isEmpty()) {
            blocks.add(EmbeddingBlock.of(firstIndex, dim, pending));
        }
        return blocks;
    }

    /** Blocks of at most {@code rows} rows of an in-memory matrix whose row {@code r} has index {@code r}. */
    static List<EmbeddingBlock> cut(long[] ids, int[] labels, float[] vectors, int dim, int rows) {
        List<EmbeddingBlock> blocks = new ArrayList<>();
        for (int start = 0; start < ids.length; start += rows) {
            int end = Math.min(ids.length, start + rows);
            blocks.add(new EmbeddingBlock(start, dim,
                    Arrays.copyOfRange(ids, start, end),
                    Arrays.copyOfRange(labels, start, end),
                    Arrays.copyOfRange(vectors, start * dim, end * dim)));
        }
        return blocks;
    }
}

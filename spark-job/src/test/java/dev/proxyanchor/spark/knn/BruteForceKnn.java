package dev.proxyanchor.spark.knn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The independent truth for the kNN tests: every query against every gallery item, one plain double-precision
 * dot product each, rounded to float, one full sort (higher score, then smaller id).
 */
final class BruteForceKnn {

    private BruteForceKnn() {
    }

    static List<NeighbourList> search(List<Embedding> queries, List<Embedding> gallery, boolean self, int k) {
        List<NeighbourList> lists = new ArrayList<>();
        for (int qi = 0; qi < queries.size(); qi++) {
            Embedding q = queries.get(qi);
            List<float[]> scored = new ArrayList<>();
            List<Embedding> items = new ArrayList<>();
            for (int gi = 0; gi < gallery.size(); gi++) {
                if (self && gi == qi) {
                    continue;
                }
                Embedding g = gallery.get(gi);
                double dot = 0;
                for (int i = 0; i < q.vector().length; i++) {
                    dot += (double) q.vector()[i] * g.vector()[i];
                }
                scored.add(new float[] {(float) dot, items.size()});
                items.add(g);
            }
            scored.sort(Comparator.<float[]>comparingDouble(s -> -s[0])
                    .thenComparingLong(s -> items.get((int) s[1]).id()));
            int n = Math.min(k, scored.size());
            long[] ids = new long[n];
            int[] labels = new int[n];
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                Embedding g = items.get((int) scored.get(i)[1]);
                ids[i] = g.id();
                labels[i] = g.label();
                scores[i] = scored.get(i)[0];
            }
            lists.add(new NeighbourList(q.id(), q.label(), ids, labels, scores));
        }
        return lists;
    }
}

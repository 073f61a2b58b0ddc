package dev.proxyanchor.spark.knn;

/**
 * The K best (score, id) pairs seen so far for one query: a bounded min-heap on primitive arrays. Order: higher
 * score first; equal scores, smaller gallery id first.
 */
final class TopK {

    private final int capacity;
    private final float[] scores;
    private final long[] ids;
    private final int[] labels;
    private int size;

    TopK(int capacity) {
        this.capacity = capacity;
        this.scores = new float[capacity];
        this.ids = new long[capacity];
        this.labels = new int[capacity];
    }

    /** a ranks below b */
    private static boolean worse(float scoreA, long idA, float scoreB, long idB) {
        return scoreA < scoreB || (scoreA == scoreB && idA > idB);
    }

    boolean full() {
        return size == capacity;
    }

    /** The K-th best score so far (the smallest kept); meaningful once {@link #full()}. */
    float lowestScore() {
        return scores[0];
    }

    void offer(float score, long id, int label) {
        if (size < capacity) {
            int i = size++;
            scores[i] = score;
            ids[i] = id;
            labels[i] = label;
            siftUp(i);
        } else if (worse(scores[0], ids[0], score, id)) {
            scores[0] = score;
            ids[0] = id;
            labels[0] = label;
            siftDown(0);
        }
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!worse(scores[i], ids[i], scores[parent], ids[parent])) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int left = 2 * i + 1;
            int right = left + 1;
            int worst = i;
            if (left < size && worse(scores[left], ids[left], scores[worst], ids[worst])) {
                worst = left;
            }
            if (right < size && worse(scores[right], ids[right], scores[worst], ids[worst])) {
                worst = right;
            }
            if (worst == i) {
                return;
            }
            swap(i, worst);
            i = worst;
        }
    }

    private void swap(int a, int b) {
        float s = scores[a];
        scores[a] = scores[b];
        scores[b] = s;
        long id = ids[a];
        ids[a] = ids[b];
        ids[b] = id;
        int l = labels[a];
        labels[a] = labels[b];
        labels[b] = l;
    }
}

package dev.proxyanchor.model.loss.miners;

import java.util.Arrays;

/** A growable int array, for miner outputs whose size is known only at the end. */
final class IntList {

    private int[] values = new int[16];
    private int size;

    void add(int v) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = v;
    }

    int[] toArray() {
        return Arrays.copyOf(values, size);
    }
}

package dev.proxyanchor.datasets.mat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A MATLAB array as read from a MAT-file: numbers, characters, a struct array or a cell array. */
public sealed interface MatArray permits MatArray.Numeric, MatArray.Chars, MatArray.Struct, MatArray.Cell {

    /** The dimensions, MATLAB style (at least two). */
    int[] dims();

    /** The number of elements, the product of the dimensions. */
    default int size() {
        return Arrays.stream(dims()).reduce(1, (a, b) -> a * b);
    }

    /** What the array is, for messages: {@code 1x16185 struct}. */
    default String describe() {
        return String.join("x", Arrays.stream(dims()).mapToObj(Integer::toString).toList()) + " "
                + getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /** Any numeric or logical class, widened to double; values in MATLAB's column-major order. */
    record Numeric(int[] dims, double[] values) implements MatArray {}

    /** A char array; {@code text} holds the characters in column-major order, which for one row is the string. */
    record Chars(int[] dims, String text) implements MatArray {}

    /** A struct array: the field names, and for each element (column-major) its field values. */
    record Struct(int[] dims, List<String> fields, List<Map<String, MatArray>> elements) implements MatArray {}

    /** A cell array, cells in column-major order. */
    record Cell(int[] dims, List<MatArray> cells) implements MatArray {}
}

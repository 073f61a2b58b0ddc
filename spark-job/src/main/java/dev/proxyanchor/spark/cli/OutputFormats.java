package dev.proxyanchor.spark.cli;

import dev.proxyanchor.spark.io.EmbeddingFormat;
import java.util.Iterator;

/** The extensions {@code embed --output} understands, from the format registry, for the help text. */
final class OutputFormats implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return EmbeddingFormat.extensions().iterator();
    }
}

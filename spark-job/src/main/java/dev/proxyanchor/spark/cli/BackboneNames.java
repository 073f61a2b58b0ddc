package dev.proxyanchor.spark.cli;

import dev.proxyanchor.model.backbones.Backbones;
import java.util.Iterator;

/** The registered backbones' names, for help texts ({@code ${COMPLETION-CANDIDATES}} of a {@code --model} flag). */
final class BackboneNames implements Iterable<String> {

    @Override
    public Iterator<String> iterator() {
        return Backbones.names().stream().sorted().iterator();
    }
}

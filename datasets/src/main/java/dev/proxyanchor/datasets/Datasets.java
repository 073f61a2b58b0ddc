package dev.proxyanchor.datasets;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The dataset readers users pick with {@code --dataset}, by case-insensitive name. */
public final class Datasets {

    private static final Map<String, Supplier<DatasetReader>> REGISTRY = new LinkedHashMap<>();

    static {
        register(FashionMnist.NAME, FashionMnist::new);
    }

    private Datasets() {
    }

    public static synchronized void register(String name, Supplier<DatasetReader> factory) {
        REGISTRY.put(name.toLowerCase(Locale.ROOT), factory);
    }

    public static synchronized Set<String> names() {
        return Set.copyOf(REGISTRY.keySet());
    }

    public static synchronized DatasetReader reader(String name) {
        Supplier<DatasetReader> factory = REGISTRY.get(name.toLowerCase(Locale.ROOT));
        if (factory == null) {
            throw new DatasetException("unknown --dataset '" + name + "'; known datasets: "
                    + String.join(", ", REGISTRY.keySet()));
        }
        return factory.get();
    }
}

package dev.proxyanchor.datasets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The dataset readers by the names users type for {@code --dataset}, matched case-insensitively. */
public final class Datasets {

    private static final Map<String, Supplier<DatasetReader>> READERS = new LinkedHashMap<>();

    static {
        register(Cub200::new);
        register(Cars196::new);
        register(StanfordOnlineProducts::new);
        register(InShop::new);
        register(FashionMnist::new);
        register(ClassFolders::new);
    }

    private Datasets() {}

    private static void register(Supplier<DatasetReader> factory) {
        READERS.put(factory.get().name().toLowerCase(Locale.ROOT), factory);
    }

    /**
     * The reader registered under {@code name} (case-insensitive).
     *
     * @throws DatasetException naming the known datasets when there is none
     */
    public static DatasetReader reader(String name) {
        Supplier<DatasetReader> factory = name == null ? null : READERS.get(name.toLowerCase(Locale.ROOT));
        if (factory == null) {
            throw new DatasetException("unknown dataset '" + name + "'; known datasets: "
                    + String.join(", ", names()) + ".");
        }
        return factory.get();
    }

    /** The registered names, as users type them: {@code cub, cars, SOP, Inshop, fmnist, folder}. */
    public static List<String> names() {
        return READERS.values().stream().map(f -> f.get().name()).toList();
    }
}

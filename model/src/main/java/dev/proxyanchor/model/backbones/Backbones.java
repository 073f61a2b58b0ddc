package dev.proxyanchor.model.backbones;

import dev.proxyanchor.model.UsageException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The backbones users pick with {@code --model}, by name. */
public final class Backbones {

    private static final Map<String, Supplier<Backbone>> REGISTRY = new LinkedHashMap<>();

    static {
        register(SmallCnn.NAME, SmallCnn::new);
        register(BnInception.NAME, BnInception::new);
        register("resnet18", ResNet::resnet18);
        register("resnet50", ResNet::resnet50);
        register("resnet101", ResNet::resnet101);
        register(GoogLeNet.NAME, GoogLeNet::new);
    }

    private Backbones() {
    }

    public static synchronized void register(String name, Supplier<Backbone> factory) {
        REGISTRY.put(name.toLowerCase(Locale.ROOT), factory);
    }

    public static synchronized Set<String> names() {
        return Set.copyOf(REGISTRY.keySet());
    }

    public static synchronized Backbone create(String name) {
        Supplier<Backbone> factory = REGISTRY.get(name.toLowerCase(Locale.ROOT));
        if (factory == null) {
            throw new UsageException("unknown --model '" + name + "'; available backbones: "
                    + String.join(", ", REGISTRY.keySet()));
        }
        return factory.get();
    }
}

package dev.proxyanchor.model.loss;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.layers.ProxyLayer;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The losses users pick with {@code --loss}, by the official {@code train.py} names, and what each needs: the
 * Proxy-Anchor loss of the paper, and the official baselines over pytorch-metric-learning 0.9.89 ({@code LOSSES.md}
 * in the shared folder specifies them).
 */
public final class Losses {

    public static final String PROXY_ANCHOR = "Proxy_Anchor";
    public static final String PROXY_NCA = "Proxy_NCA";
    public static final String MS = "MS";
    public static final String CONTRASTIVE = "Contrastive";
    public static final String TRIPLET = "Triplet";
    public static final String NPAIR = "NPair";

    private static final Map<String, LossEntry> REGISTRY = new LinkedHashMap<>();

    static {
        register(new LossEntry(PROXY_ANCHOR, recipe -> new ProxyAnchorLoss(recipe.alpha(), recipe.margin()),
                // Kaiming normal, fan-out = C; --proxy-lr-scale (official: 100) x lr; clipped like the network.
                new ProxyHead(ProxyLayer.Output.COSINE, classes -> Math.sqrt(2.0 / classes), Recipe::proxyLrScale,
                        true), false, List.of("--alpha", "--mrg", "--proxy-lr-scale")));
        // torch.randn proxies, lr x 1 (not --proxy-lr-scale), left out of clip_grad_value_ as in train.py.
        register(new LossEntry(PROXY_NCA, recipe -> new ProxyNcaLoss(),
                new ProxyHead(ProxyLayer.Output.SQUARED_DISTANCE, classes -> 1.0, recipe -> 1.0, false), false,
                List.of()));
        register(new LossEntry(MS, recipe -> new MultiSimilarityLoss(), null, true, List.of()));
        register(new LossEntry(CONTRASTIVE, recipe -> new ContrastiveLoss(), null, true, List.of()));
        register(new LossEntry(TRIPLET, recipe -> new TripletMarginLoss(), null, true, List.of()));
        register(new LossEntry(NPAIR, recipe -> new NPairsLoss(), null, true, List.of()));
    }

    private Losses() {
    }

    private static void register(LossEntry entry) {
        REGISTRY.put(entry.name().toLowerCase(Locale.ROOT), entry);
    }

    /** The official names, in registration order. */
    public static List<String> names() {
        List<String> names = new ArrayList<>();
        REGISTRY.values().forEach(e -> names.add(e.name()));
        return names;
    }

    /** The entry of an official name (case-insensitive), or a message listing the names. */
    public static LossEntry get(String name) {
        LossEntry entry = name == null ? null : REGISTRY.get(name.trim().toLowerCase(Locale.ROOT));
        if (entry == null) {
            throw new UsageException("unknown --loss '" + name + "'; available losses: "
                    + String.join(", ", names()));
        }
        return entry;
    }

    /** Help texts iterate this (picocli's completion candidates). */
    public static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return names().iterator();
        }
    }
}

package dev.proxyanchor.model;

import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.layers.BatchNormFolding;
import dev.proxyanchor.model.layers.GlobalAvgPlusMaxPooling;
import dev.proxyanchor.model.layers.TorchBatchNorm;
import dev.proxyanchor.model.layers.TorchL2Normalize;
import dev.proxyanchor.model.loss.ProxyHead;
import dev.proxyanchor.model.optim.GroupLearningRate;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.model.recipe.ParameterGroup;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.Map;
import java.util.Optional;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The official model: backbone features -> global average pool + global max pool (summed) -> linear embedding
 * (init N(0, 2/D), bias 0) -> L2 normalisation (with the backbone's epsilon) -> the loss: through a proxies layer
 * for a loss with proxies (Proxy_Anchor, Proxy_NCA), on the embeddings themselves for the others. Every layer gets
 * its parameter group's optimizer, learning-rate schedule and weight decay, and gradients clipped by value (the
 * proxies only where the loss's head says so).
 */
public final class EmbeddingNetwork {

    public static final String INPUT = "input";
    public static final String EMBEDDING = "embedding";
    public static final String EMBEDDING_NORMALISED = "embedding_l2";
    /** GAP + GMP of the backbone's feature map. */
    public static final String POOL = "pool";
    public static final String PROXIES = "proxies";
    public static final String LOSS = "loss";

    private EmbeddingNetwork() {
    }

    public static ComputationGraph create(Recipe recipe) {
        return create(recipe, Backbones.create(recipe.model()), DataType.FLOAT);
    }

    public static ComputationGraph create(Recipe recipe, Backbone backbone, DataType dataType) {
        ComputationGraph graph = new ComputationGraph(configuration(recipe, backbone, dataType));
        graph.init();
        return graph;
    }

    public static ComputationGraphConfiguration configuration(Recipe recipe, Backbone backbone, DataType dataType) {
        GraphBuilder graph = new NeuralNetConfiguration.Builder()
                .seed(recipe.seed())
                .dataType(dataType)
                .updater(recipe.optimizer().updater(recipe.learningRate(ParameterGroup.BACKBONE)))
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(backbone.inputType());

        String features = backbone.addTo(graph, INPUT, recipe.bnFreeze());
        graph.addLayer(POOL, new GlobalAvgPlusMaxPooling(), features);
        graph.addLayer(EMBEDDING, new DenseLayer.Builder()
                .nIn(backbone.featureChannels()).nOut(recipe.embeddingSize())
                .activation(Activation.IDENTITY)
                // Kaiming normal with fan-out = D, as the official code initialises its embedding layer.
                .weightInit(new NormalDistribution(0.0, Math.sqrt(2.0 / recipe.embeddingSize())))
                .biasInit(0.0)
                .build(), POOL);
        String embeddingOut = EMBEDDING;
        if (recipe.l2Norm()) {
            graph.addVertex(EMBEDDING_NORMALISED, new TorchL2Normalize(backbone.embeddingNormEps()), EMBEDDING);
            embeddingOut = EMBEDDING_NORMALISED;
        }
        String lossInput = embeddingOut;
        Optional<ProxyHead> proxies = recipe.lossEntry().proxyHead();
        if (proxies.isPresent()) {
            graph.addLayer(PROXIES, proxies.get().layer(recipe.embeddingSize(), recipe.numClasses()), embeddingOut);
            lossInput = PROXIES;
        }
        LossLayer loss = new LossLayer.Builder(recipe.lossFunction()).activation(Activation.IDENTITY).build();
        // A loss layer passes its input through: its width is its input's. Left at DL4J's 0, the graph's shape
        // inference logs "Assigning a size of zero" on every network built.
        long lossWidth = proxies.isPresent() ? recipe.numClasses() : recipe.embeddingSize();
        loss.setNIn(lossWidth);
        loss.setNOut(lossWidth);
        graph.addLayer(LOSS, loss, lossInput);
        graph.setOutputs(LOSS);

        ComputationGraphConfiguration conf = graph.build();
        BatchNormFolding.markFoldable(conf);
        applyParameterGroups(conf, recipe);
        return conf;
    }

    /** The vertex whose output is the embedding used for retrieval. */
    public static String embeddingVertex(ComputationGraph graph) {
        return graph.getConfiguration().getVertices().containsKey(EMBEDDING_NORMALISED) ? EMBEDDING_NORMALISED : EMBEDDING;
    }

    /** Embeddings of a batch in inference mode (BatchNorm on running statistics). */
    public static INDArray embed(ComputationGraph graph, INDArray features) {
        Map<String, INDArray> activations = graph.feedForward(new INDArray[] {features}, false, false);
        return activations.get(embeddingVertex(graph));
    }

    public static ParameterGroup groupOf(String layerName) {
        return switch (layerName) {
            case EMBEDDING -> ParameterGroup.EMBEDDING;
            case PROXIES -> ParameterGroup.PROXIES;
            default -> ParameterGroup.BACKBONE;
        };
    }

    /**
     * Gives every layer its group's optimizer and learning-rate schedule (see {@link #groupOf}), the recipe's weight
     * decay on weights and biases alike, and gradient clipping by value (not for proxies whose head is not clipped):
     * in AdamW's step ({@link Optimizer#clipsInStep}), else as DL4J's gradient normalization.
     */
    public static void applyParameterGroups(ComputationGraphConfiguration conf, Recipe recipe) {
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (!(vertex.getValue() instanceof LayerVertex layerVertex)
                    || !(layerVertex.getLayerConf().getLayer() instanceof BaseLayer layer)) {
                continue;
            }
            ParameterGroup group = groupOf(vertex.getKey());
            GroupLearningRate lr = recipe.learningRate(group);
            if (layer instanceof TorchBatchNorm && recipe.bnFreeze() && recipe.warm() == 0) {
                // The official code freezes BatchNorm's affine parameters with --bn-freeze and only releases them
                // when a warm-up ends; without a warm-up they stay frozen for the whole run.
                lr = new GroupLearningRate(lr.getBaseLr(), lr.getGamma(), lr.getStepEpochs(), Integer.MAX_VALUE);
            }
            boolean clipped = group != ParameterGroup.PROXIES
                    || recipe.lossEntry().proxyHead().map(ProxyHead::clipped).orElse(true);
            boolean clippedInStep = clipped && recipe.optimizer().clipsInStep();
            layer.setIUpdater(clippedInStep ? recipe.optimizer().clippingUpdater(lr, recipe.clipValue())
                    : recipe.optimizer().updater(lr));
            layer.setBiasUpdater(null);
            layer.setRegularization(recipe.optimizer().regularization(recipe.weightDecay()));
            layer.setRegularizationBias(recipe.optimizer().regularization(recipe.weightDecay()));
            layer.setGradientNormalization(clipped && !clippedInStep
                    ? GradientNormalization.ClipElementWiseAbsoluteValue : GradientNormalization.None);
            layer.setGradientNormalizationThreshold(recipe.clipValue());
        }
    }
}

package dev.proxyanchor.model.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.layers.ProxyLayer;
import dev.proxyanchor.model.recipe.Optimizer;
import dev.proxyanchor.model.recipe.ParameterGroup;
import dev.proxyanchor.model.recipe.Recipe;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One real DL4J training step equals the step PyTorch's AdamW takes from the reference gradients: this pins down
 * DL4J's division of gradients by the minibatch size, the order of clipping, decay and updater, the decoupled
 * decay, the epsilon placement, and the proxies' 100 x learning rate.
 *
 * <p>Network: X -> embedding (identity weights, zero bias) -> proxies -> loss, so the embedding's output is the
 * reference X and the reference dL/dX and dL/dP apply directly.
 */
class OptimizerStepMatchesHandComputationTest {

    private static final double LR = 1e-3;
    private static final double WEIGHT_DECAY = 1e-2;

    @Test
    void oneAdamWStepEqualsTheHandComputedUpdate() {
        var c = dev.proxyanchor.model.loss.ReferenceCaseAccess.read("random_mid");
        INDArray x = c.x();
        INDArray p = c.proxies();
        int d = (int) x.size(1);
        Recipe recipe = Recipe.builder().model("test").embeddingSize(d).numClasses((int) p.size(0))
                .optimizer(Optimizer.ADAMW).lr(LR).weightDecay(WEIGHT_DECAY).warm(0)
                .alpha(c.alpha()).margin(c.margin()).build();

        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .graphBuilder()
                .addInputs("x")
                .setInputTypes(InputType.feedForward(d))
                .addLayer(EmbeddingNetwork.EMBEDDING, new DenseLayer.Builder().nIn(d).nOut(d)
                        .activation(Activation.IDENTITY).build(), "x")
                .addLayer(EmbeddingNetwork.PROXIES, ProxyLayer.of(d, (int) p.size(0)), EmbeddingNetwork.EMBEDDING)
                .addLayer(EmbeddingNetwork.LOSS, new LossLayer.Builder(recipe.lossFunction())
                        .activation(Activation.IDENTITY).build(), EmbeddingNetwork.PROXIES)
                .setOutputs(EmbeddingNetwork.LOSS)
                .build();
        EmbeddingNetwork.applyParameterGroups(conf, recipe);
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        INDArray w0 = Nd4j.eye(d).castTo(DataType.DOUBLE);
        INDArray b0 = Nd4j.zeros(DataType.DOUBLE, 1, d);
        graph.setParam("embedding_W", w0);
        graph.setParam("embedding_b", b0);
        graph.setParam("proxies_P", p);

        graph.fit(new DataSet(x, c.labels()));

        INDArray dOut = c.expected("dX");
        INDArray dW = x.transpose().mmul(dOut);
        INDArray dB = dOut.sum(true, 0);
        INDArray dP = c.expected("dP");
        double embeddingLr = recipe.learningRate(ParameterGroup.EMBEDDING, 0);
        double proxyLr = recipe.learningRate(ParameterGroup.PROXIES, 0);

        assertClose(adamWFirstStep(w0, dW, embeddingLr), graph.getParam("embedding_W"), "embedding weights");
        assertClose(adamWFirstStep(b0, dB, embeddingLr), graph.getParam("embedding_b"), "embedding bias");
        assertClose(adamWFirstStep(p, dP, proxyLr), graph.getParam("proxies_P"), "proxies");
    }

    /** torch.optim.AdamW, first step: p * (1 - lr * wd) - lr * g / (|g| + eps), g clipped to [-10, 10]. */
    private static INDArray adamWFirstStep(INDArray param, INDArray grad, double lr) {
        INDArray g = Transforms.min(Transforms.max(grad, -10.0, true), 10.0, false);
        INDArray step = g.div(Transforms.abs(g, true).addi(1e-8)).muli(lr);
        return param.mul(1 - lr * WEIGHT_DECAY).subi(step);
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double diff = expected.sub(actual.reshape(expected.shape())).amaxNumber().doubleValue();
        assertTrue(diff < 1e-12, what + " after one step differ from the hand computation by " + diff);
    }
}

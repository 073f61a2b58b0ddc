package dev.proxyanchor.model.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.regularization.WeightDecay;

class DecoupledWeightDecayTest {

    /** The same update as DL4J's WeightDecay (learning rate applied), on the Java sweep and the ND4J path. */
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void updatesAsDl4jsWeightDecayButAddsNothingToTheLoss(DataType type) {
        Nd4j.getRandom().setSeed(4);
        INDArray param = Nd4j.randn(type, 1, 5000);
        INDArray update = Nd4j.randn(type, 1, 5000);
        INDArray expected = update.dup();
        new WeightDecay(1e-4, true).apply(param, expected, 0.3, 7, 1);

        DecoupledWeightDecay decay = new DecoupledWeightDecay(1e-4);
        decay.apply(param, update, 0.3, 7, 1);

        assertEquals(0, expected.sub(update).amaxNumber().doubleValue(), 1e-7);
        assertEquals(0.0, decay.score(param, 7, 1), "PyTorch never adds the decay to the loss");
    }

    @Test
    void survivesJson() {
        NeuralNetConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .layer(new DenseLayer.Builder().nIn(2).nOut(3).regularization(java.util.List.of(
                        new DecoupledWeightDecay(5e-4))).build())
                .build();
        assertEquals(conf, NeuralNetConfiguration.fromJson(conf.toJson()));
    }
}

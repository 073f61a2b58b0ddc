package dev.proxyanchor.model.backbones;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.recipe.Recipe;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/** Every registered backbone builds under the embedding head, has the feature map it declares, and survives JSON. */
class BackbonesTest {

    static List<String> names() {
        return Backbones.names().stream().sorted().toList();
    }

    @ParameterizedTest
    @MethodSource("names")
    void buildsWithTheHeadAndSurvivesJson(String name) {
        Backbone backbone = Backbones.create(name);
        Recipe recipe = Recipe.builder().model(name).embeddingSize(8).numProxies(3).seed(1).build();
        ComputationGraphConfiguration conf = EmbeddingNetwork.create(recipe, backbone, DataType.FLOAT)
                .getConfiguration();
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));

        Map<String, InputType> types = conf.getLayerActivationTypes(backbone.inputType());
        assertEquals(InputType.feedForward(backbone.featureChannels()), types.get("pool"), name + " feature width");
    }
}

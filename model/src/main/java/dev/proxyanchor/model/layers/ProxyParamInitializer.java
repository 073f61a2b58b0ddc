package dev.proxyanchor.model.layers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One C x D parameter, the proxies, stored row-major in the layer's flat parameter view and initialised by the
 * layer's weight initialisation (the loss's {@code ProxyHead} sets it); no bias.
 */
final class ProxyParamInitializer implements ParamInitializer {

    static final ProxyParamInitializer INSTANCE = new ProxyParamInitializer();

    private ProxyParamInitializer() {
    }

    @Override
    public long numParams(NeuralNetConfiguration conf) {
        return numParams(conf.getLayer());
    }

    @Override
    public long numParams(Layer layer) {
        ProxyLayer proxies = (ProxyLayer) layer;
        return proxies.getNIn() * proxies.getNOut();
    }

    @Override
    public List<String> paramKeys(Layer layer) {
        return Collections.singletonList(ProxyLayer.PROXIES);
    }

    @Override
    public List<String> weightKeys(Layer layer) {
        return Collections.singletonList(ProxyLayer.PROXIES);
    }

    @Override
    public List<String> biasKeys(Layer layer) {
        return Collections.emptyList();
    }

    @Override
    public boolean isWeightParam(Layer layer, String key) {
        return ProxyLayer.PROXIES.equals(key);
    }

    @Override
    public boolean isBiasParam(Layer layer, String key) {
        return false;
    }

    @Override
    public Map<String, INDArray> init(NeuralNetConfiguration conf, INDArray paramsView, boolean initializeParams) {
        ProxyLayer layer = (ProxyLayer) conf.getLayer();
        long classes = layer.getNOut();
        long dim = layer.getNIn();
        INDArray proxies = paramsView.reshape('c', classes, dim);
        if (initializeParams) {
            layer.getWeightInitFn().init(dim, classes, new long[] {classes, dim}, 'c', proxies);
        }
        conf.addVariable(ProxyLayer.PROXIES);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put(ProxyLayer.PROXIES, proxies);
        return params;
    }

    @Override
    public Map<String, INDArray> getGradientsFromFlattened(NeuralNetConfiguration conf, INDArray gradientView) {
        ProxyLayer layer = (ProxyLayer) conf.getLayer();
        Map<String, INDArray> grads = new LinkedHashMap<>();
        grads.put(ProxyLayer.PROXIES, gradientView.reshape('c', layer.getNOut(), layer.getNIn()));
        return grads;
    }
}

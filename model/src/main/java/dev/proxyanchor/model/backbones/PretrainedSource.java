package dev.proxyanchor.model.backbones;

import java.util.List;

/**
 * The ImageNet weights a backbone starts from in the official code: the PyTorch file (the names it is published
 * under, the first one current) and where to download it. The input these weights expect is the backbone's
 * {@link Backbone#inputSpec()}; the tensors of the PyTorch class the backbone does not use are
 * {@link Backbone#unusedTorchTensors()}.
 *
 * @param fileNames file names looked for by {@code --pretrained auto}, first the one to download
 * @param url       where a user downloads it (never fetched at run time)
 */
public record PretrainedSource(List<String> fileNames, String url) {

    public PretrainedSource {
        fileNames = List.copyOf(fileNames);
        if (fileNames.isEmpty()) {
            throw new IllegalArgumentException("a pretrained source needs at least one file name");
        }
    }

    public String fileName() {
        return fileNames.get(0);
    }
}

package dev.proxyanchor.model.backbones;

import java.util.List;

/**
 * The ImageNet weights a backbone starts from in the official code: the PyTorch file (the names it is published
 * under, the first one current), where to download it, the state_dict prefixes of the modules the official forward
 * never runs (dropped when loading). The input these weights expect is the backbone's {@link Backbone#inputSpec()}.
 *
 * @param fileNames     file names looked for by {@code --pretrained auto}, first the one to download
 * @param url           where a user downloads it (never fetched at run time)
 * @param unusedModules state_dict prefixes of the modules the official forward never runs: the ImageNet classifier
 *                      ({@code fc.}, {@code last_linear.}) and GoogLeNet's auxiliary classifiers ({@code aux1.},
 *                      {@code aux2.})
 */
public record PretrainedSource(List<String> fileNames, String url, List<String> unusedModules) {

    public PretrainedSource {
        fileNames = List.copyOf(fileNames);
        unusedModules = List.copyOf(unusedModules);
        if (fileNames.isEmpty()) {
            throw new IllegalArgumentException("a pretrained source needs at least one file name");
        }
        for (String prefix : unusedModules) {
            if (!prefix.endsWith(".")) {
                throw new IllegalArgumentException("unused module prefix '" + prefix + "' must end with a dot");
            }
        }
    }

    public String fileName() {
        return fileNames.get(0);
    }
}

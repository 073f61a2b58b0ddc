package dev.proxyanchor.model.backbones;

import java.util.List;

/**
 * The ImageNet weights a backbone starts from in the official code: the PyTorch file (the names it is published
 * under, the first one current), where to download it, the state_dict prefix of the ImageNet classifier that is
 * dropped, and the input normalisation the weights were trained with.
 *
 * @param fileNames     file names looked for by {@code --pretrained auto}, first the one to download
 * @param url           where a user downloads it (never fetched at run time)
 * @param classifier    state_dict prefix of the dropped classifier, e.g. {@code fc.}
 * @param normalisation the input transform these weights expect, in words
 */
public record PretrainedSource(List<String> fileNames, String url, String classifier, String normalisation) {

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

package dev.proxyanchor.model.pretrained;

import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.backbones.PretrainedSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * ImageNet weights for a backbone, read from the PyTorch file the official code starts from
 * ({@code bn_inception-52deb4733.pth}, torchvision's {@code resnet50-0676ba61.pth}, ...), as {@code --pretrained}
 * selects them:
 * <ul>
 *   <li>{@code none}: train from the random initialisation;</li>
 *   <li>{@code auto}: the backbone's published file, looked for under its known names in
 *       {@code $PROXYANCHOR_WEIGHTS} (default {@code ~/.cache/proxyanchor/weights}) and then in PyTorch's download
 *       cache ({@code $TORCH_HOME/hub/checkpoints}, default {@code ~/.cache/torch/hub/checkpoints}, where the official
 *       code leaves it); nothing is downloaded;</li>
 *   <li>a folder: the backbone's published file in that folder;</li>
 *   <li>a file: that file, whatever its name.</li>
 * </ul>
 * Loading is strict ({@link StateDictLoader}): every backbone parameter is filled from a tensor of the right shape and
 * every tensor of the file is used, except those of the modules the official forward never runs
 * ({@link Backbone#unusedTorchTensors()}: the ImageNet classifier {@code fc.*} or {@code last_linear.*}, GoogLeNet's
 * auxiliary classifiers {@code aux1.*} and {@code aux2.*}) and BatchNorm's {@code num_batches_tracked}, which are
 * ignored and named in the report. {@code embedding.weight}/{@code embedding.bias}, when
 * the file has them, fill the head's embedding layer (otherwise it keeps its initialisation, as in the official
 * code). Any mismatch fails with the offending keys named, before a single parameter is written. Nothing is
 * backend-specific: the tensors become ND4J arrays through {@code Nd4j.create} and are assigned into the graph's
 * parameters, on CPU or GPU. The official code's own checkpoints are read by {@link OfficialCheckpoint}.
 */
public final class PretrainedWeights {

    public static final String NONE = "none";
    public static final String AUTO = "auto";
    /** Environment variable naming the weights folder of {@code --pretrained auto}. */
    public static final String WEIGHTS_ENV = "PROXYANCHOR_WEIGHTS";

    private PretrainedWeights() {
    }

    /**
     * The file {@code --pretrained flagValue} names for {@code --model model}, or empty for {@code none} (and for
     * {@code auto} when the backbone has no published weights, like {@code small_cnn}). Fails with what to download
     * and where to put it when {@code auto} or a folder finds no file.
     */
    public static Optional<Path> resolve(String flagValue, String model) {
        return resolve(flagValue, Backbones.create(model), System.getenv(),
                Path.of(System.getProperty("user.home")));
    }

    static Optional<Path> resolve(String flagValue, Backbone backbone, Map<String, String> env, Path home) {
        String value = flagValue == null ? "" : flagValue.trim();
        if (value.isEmpty()) {
            throw new UsageException("--pretrained needs a value: none, auto, a .pth file or a folder");
        }
        if (value.equalsIgnoreCase(NONE)) {
            return Optional.empty();
        }
        Optional<PretrainedSource> source = backbone.pretrained();
        if (value.equalsIgnoreCase(AUTO)) {
            if (source.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(find(source.get(), backbone, searchFolders(env, home), "--pretrained auto"));
        }
        Path path = Path.of(value);
        if (Files.isDirectory(path)) {
            if (source.isEmpty()) {
                throw new UsageException("--pretrained " + value + ": --model " + backbone.name()
                        + " has no published ImageNet weights to look for in a folder; give a .pth file or none");
            }
            return Optional.of(find(source.get(), backbone, List.of(path), "--pretrained " + value));
        }
        if (!Files.isRegularFile(path)) {
            throw new UserInputException("--pretrained " + value + ": no such file or folder. Give none, auto, a"
                    + " PyTorch .pth file or a folder holding " + source.map(PretrainedSource::fileName)
                    .orElse("the weights file") + ".");
        }
        return Optional.of(path);
    }

    /** The folders {@code --pretrained auto} searches, in order. */
    public static List<Path> searchFolders(Map<String, String> env, Path home) {
        List<Path> folders = new ArrayList<>();
        String weights = env.get(WEIGHTS_ENV);
        folders.add(weights != null && !weights.isBlank() ? Path.of(weights)
                : home.resolve(".cache").resolve("proxyanchor").resolve("weights"));
        String torchHome = env.get("TORCH_HOME");
        String xdgCache = env.get("XDG_CACHE_HOME");
        Path torch = torchHome != null && !torchHome.isBlank() ? Path.of(torchHome)
                : (xdgCache != null && !xdgCache.isBlank() ? Path.of(xdgCache) : home.resolve(".cache")).resolve("torch");
        folders.add(torch.resolve("hub").resolve("checkpoints"));
        return folders;
    }

    private static Path find(PretrainedSource source, Backbone backbone, List<Path> folders, String flag) {
        for (Path folder : folders) {
            for (String name : source.fileNames()) {
                Path candidate = folder.resolve(name);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        throw new UserInputException(flag + ": no ImageNet weights for --model " + backbone.name() + " ("
                + String.join(" or ", source.fileNames()) + ") in " + folders.stream().map(Path::toString)
                .collect(Collectors.joining(", ")) + ". Download " + source.url() + " into " + folders.get(0)
                + " (or set " + WEIGHTS_ENV + " to the folder holding it), or pass --pretrained /path/to/"
                + source.fileName() + "; --pretrained none trains from a random initialisation.");
    }

    /** Loads the ImageNet weights file {@code pth} into {@code graph}; see the class comment for the rules. */
    public static LoadReport load(ComputationGraph graph, Backbone backbone, Path pth) {
        long start = System.nanoTime();
        Map<String, TorchTensor> tensors;
        try {
            tensors = TorchCheckpointReader.read(pth);
        } catch (IOException e) {
            throw unreadable(pth.toString(), e);
        }
        return load(graph, backbone, tensors, pth.toString(), start);
    }

    /** Loads ImageNet weights from {@code in} (not closed), e.g. a file on HDFS; {@code where} names it in messages. */
    public static LoadReport load(ComputationGraph graph, Backbone backbone, InputStream in, String where) {
        long start = System.nanoTime();
        Map<String, TorchTensor> tensors;
        try {
            tensors = TorchCheckpointReader.read(in, where);
        } catch (IOException e) {
            throw unreadable(where, e);
        }
        return load(graph, backbone, tensors, where, start);
    }

    /** Loads an already read state_dict of ImageNet weights. */
    public static LoadReport load(ComputationGraph graph, Backbone backbone, Map<String, TorchTensor> stateDict,
            String where) {
        return load(graph, backbone, stateDict, where, System.nanoTime());
    }

    private static UserInputException unreadable(String where, IOException e) {
        return new UserInputException("cannot read the pretrained weights " + where + ": " + e.getMessage(), e);
    }

    private static LoadReport load(ComputationGraph graph, Backbone backbone, Map<String, TorchTensor> stateDict,
            String where, long startNanos) {
        return StateDictLoader.load(graph, backbone, stateDict, StateDictMapping.Layout.IMAGENET, where,
                "the pretrained weights file", "Use the file published" + backbone.pretrained()
                        .map(s -> " for it (" + s.fileName() + ", " + s.url() + ")").orElse("")
                        + ", or a state_dict of the same architecture.", startNanos);
    }
}

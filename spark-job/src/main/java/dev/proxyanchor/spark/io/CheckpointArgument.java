package dev.proxyanchor.spark.io;

import dev.proxyanchor.model.EmbeddingNetwork;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.checkpoint.TrainingState;
import dev.proxyanchor.model.pretrained.LoadReport;
import dev.proxyanchor.model.pretrained.OfficialCheckpoint;
import dev.proxyanchor.model.recipe.Recipe;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What {@code --checkpoint} (and {@code train --init-from}) names, on any Hadoop file system: a run directory (its
 * {@code best/} checkpoint), one of its checkpoint directories ({@code best/}, {@code last/}), or a file: a
 * checkpoint of the official PyTorch code ({@code {'model_state_dict': ...}}), read for a {@code --model} and
 * {@code --embedding-size} the user names, since the file records neither.
 */
public final class CheckpointArgument {

    private CheckpointArgument() {
    }

    /**
     * A checkpoint written here and the run directory it belongs to.
     *
     * @param checkpoint the network and its training state
     * @param run        the run directory holding it (its {@code config.json} describes the run)
     */
    public record RunCheckpoint(Checkpoint checkpoint, RunDirectory run) {
    }

    /** Whether {@code uri} names a file (an official PyTorch checkpoint) rather than a directory. */
    public static boolean isFile(String uri, Configuration hadoop) {
        try {
            Path path = new Path(uri);
            return path.getFileSystem(hadoop).isFile(path);
        } catch (IOException | IllegalArgumentException e) {
            throw new UserInputException("--checkpoint " + uri + ": " + e.getMessage()
                    + " (expected a run directory, a checkpoint directory or an official .pth file)", e);
        }
    }

    /** A run directory (its best/ checkpoint) or a checkpoint directory written by {@code train}. */
    public static RunCheckpoint read(String uri, Configuration hadoop) throws IOException {
        RunDirectory run = RunDirectory.at(uri, hadoop);
        if (run.hasCheckpoint(RunDirectory.BEST)) {
            return new RunCheckpoint(run.readCheckpoint(RunDirectory.BEST), run);
        }
        Path path = new Path(uri);
        if (path.getParent() == null) {
            throw new UserInputException("--checkpoint " + uri + " is neither a run directory nor a checkpoint");
        }
        RunDirectory parent = RunDirectory.at(path.getParent().toString(), hadoop);
        return new RunCheckpoint(parent.readCheckpoint(path.getName()), parent);
    }

    /**
     * The network of {@code --model model --embedding-size embeddingSize} with the official checkpoint {@code uri}
     * loaded strictly (the embedding included); its recipe holds the official defaults otherwise.
     */
    public static Checkpoint readOfficial(String uri, Configuration hadoop, String model, int embeddingSize)
            throws IOException {
        Recipe recipe = Recipe.builder().model(model).embeddingSize(embeddingSize).numClasses(1).build();
        ComputationGraph graph = EmbeddingNetwork.create(recipe);
        loadOfficial(graph, Backbones.create(model), uri, hadoop);
        return new Checkpoint(graph, TrainingState.start(recipe));
    }

    /** Loads the official checkpoint {@code uri} into {@code graph} (strict, the embedding included). */
    public static LoadReport loadOfficial(ComputationGraph graph, Backbone backbone, String uri, Configuration hadoop)
            throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.isFile(path)) {
            throw new UserInputException(uri + " is not a file: give the .pth file the official train.py saved");
        }
        try (InputStream in = fs.open(path)) {
            return OfficialCheckpoint.load(graph, backbone, in, uri);
        }
    }
}

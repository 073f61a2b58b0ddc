package dev.proxyanchor.spark.export;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbone;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.model.checkpoint.Checkpoint;
import dev.proxyanchor.model.pretrained.OfficialCheckpoint;
import dev.proxyanchor.model.pretrained.TorchCheckpointReader;
import dev.proxyanchor.model.recipe.Recipe;
import dev.proxyanchor.spark.io.CheckpointArgument;
import dev.proxyanchor.spark.io.RunDirectory;
import dev.proxyanchor.spark.io.SingleFileOutput;
import dev.proxyanchor.spark.train.TrainingJob;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code export} driver: a checkpoint of this tool out as the official PyTorch code's checkpoint file
 * ({@link OfficialCheckpoint}), written as a {@link SingleFileOutput} (complete or not at all). The
 * classifier the official wrapper keeps unused (and BatchNorm's num_batches_tracked) comes from
 * {@code --classifier-from}, else from the file the run started from as its {@code config.json} records it
 * ({@code --init-from}, else the ImageNet weights), when that file can be read here; otherwise it is initialised as
 * PyTorch does, and the summary says so.
 */
public final class ExportJob {

    private static final Logger log = LoggerFactory.getLogger(ExportJob.class);

    /**
     * @param classifierFrom a .pth file providing the tensors the network lacks, or null for the run's own
     */
    public record Settings(String checkpoint, String output, boolean overwrite, String classifierFrom) {
    }

    private ExportJob() {
    }

    /** Exports as {@code s} says; returns the summary printed for the user. */
    public static String run(Settings s, Configuration hadoop) throws IOException {
        CheckpointArgument.RunCheckpoint found = CheckpointArgument.read(s.checkpoint(), hadoop);
        Checkpoint checkpoint = found.checkpoint();
        Recipe recipe = checkpoint.state().recipe();
        Backbone backbone = Backbones.create(recipe.model());
        SingleFileOutput.requireAbsentOrOverwrite(hadoop, s.output(), s.overwrite());
        Optional<OfficialCheckpoint.Source> source = source(s, found.run(), hadoop);

        OfficialCheckpoint.ExportReport report;
        try (SingleFileOutput file = SingleFileOutput.create(hadoop, s.output())) {
            report = OfficialCheckpoint.write(checkpoint.graph(), backbone, source.orElse(null), file.stream());
            file.commit();
        }
        Path target = new Path(s.output());
        Path output = target.getFileSystem(hadoop).makeQualified(target);
        return "wrote " + output + " (" + report + "). In the official code: model = <the wrapper of --model "
                + recipe.model() + ">(embedding_size=" + recipe.embeddingSize() + ", pretrained=False, is_norm="
                + (recipe.l2Norm() ? "True" : "False") + "); model.load_state_dict(torch.load('" + output.getName()
                + "')['" + TorchCheckpointReader.OFFICIAL_CONTAINER_KEY + "'], strict=True)";
    }

    /** The file to take the unused tensors from: --classifier-from, else what the run started from, if readable. */
    private static Optional<OfficialCheckpoint.Source> source(Settings s, RunDirectory run, Configuration hadoop)
            throws IOException {
        if (s.classifierFrom() != null) {
            return Optional.of(readSource(s.classifierFrom(), hadoop));
        }
        for (String candidate : startingFiles(run)) {
            try {
                return Optional.of(readSource(candidate, hadoop));
            } catch (UserInputException | IOException e) {
                log.warn("export: the run started from {}, which cannot be read here ({}); its classifier is"
                        + " initialised instead (--classifier-from names another copy)", candidate, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** The files the run's config.json names as its start: the --init-from checkpoint, the ImageNet weights. */
    private static List<String> startingFiles(RunDirectory run) throws IOException {
        String config = run.readText(RunDirectory.CONFIG);
        List<String> files = new ArrayList<>();
        if (config.isBlank()) {
            return files;
        }
        JsonNode json = new ObjectMapper().readTree(config);
        for (String field : List.of(TrainingJob.INIT_FROM_FIELD, TrainingJob.PRETRAINED_FILE_FIELD)) {
            JsonNode value = json.path(field);
            if (value.isTextual() && !value.asText().isBlank()) {
                files.add(value.asText());
            }
        }
        return files;
    }

    private static OfficialCheckpoint.Source readSource(String uri, Configuration hadoop) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(hadoop);
        if (!fs.isFile(path)) {
            throw new UserInputException(uri + " is not a file");
        }
        try (InputStream in = fs.open(path)) {
            return new OfficialCheckpoint.Source(uri, TorchCheckpointReader.read(in, uri));
        } catch (IOException e) {
            throw new UserInputException("cannot read " + uri + ": " + e.getMessage(), e);
        }
    }
}

package dev.proxyanchor.spark.cli;

import dev.proxyanchor.spark.export.ExportJob;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code export}: a checkpoint out as the official PyTorch code's checkpoint file, without starting Spark. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a checkpoint as the official PyTorch code saves its own ({'model_state_dict': ...} in "
                + "torch.save's zip format), so that the official wrapper of the backbone and embedding size loads it "
                + "with strict=True and computes the same embeddings (and from there TorchScript or ONNX).",
                "The ImageNet classifier the official wrapper keeps unused comes from --classifier-from, else from "
                + "the file the run started from, else is initialised as PyTorch does; the summary says which."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--checkpoint", required = true,
            description = "a run directory (its best/ checkpoint is used) or a checkpoint directory (any Hadoop URI)")
    String checkpoint;

    @Option(names = "--output", required = true, description = "the .pth file to write, any Hadoop URI")
    String output;

    @Option(names = "--overwrite", description = "replace an existing output")
    boolean overwrite;

    @Option(names = "--classifier-from",
            description = "a .pth file (ImageNet weights or an official checkpoint) to take the unused classifier "
                    + "from (default: the run's --init-from or ImageNet weights file, if readable here)")
    String classifierFrom;

    @Override
    public Integer call() throws Exception {
        String summary = ExportJob.run(new ExportJob.Settings(checkpoint, output, overwrite, classifierFrom),
                new Configuration());
        spec.commandLine().getOut().println(summary);
        spec.commandLine().getOut().flush();
        return 0;
    }
}

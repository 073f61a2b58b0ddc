package dev.proxyanchor.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.proxyanchor.datasets.DatasetListing;
import dev.proxyanchor.datasets.DatasetOptions;
import dev.proxyanchor.datasets.DatasetReader;
import dev.proxyanchor.datasets.Datasets;
import dev.proxyanchor.datasets.Role;
import dev.proxyanchor.model.UsageException;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Looks at a dataset the way training will, without Spark: what it holds and how it is evaluated. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = "Inspect a dataset without starting Spark.")
final class DatasetsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: describe");
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "List a dataset, check its layout and that every listed image exists, and print one JSON "
                    + "object: proxies, evaluation mode, Recall@K and image/class counts per role.")
    int describe(
            @Option(names = "--dataset", required = true, converter = DatasetName.class,
                    completionCandidates = DatasetName.class,
                    description = "${COMPLETION-CANDIDATES} (any case).") String dataset,
            @Option(names = "--data-root",
                    description = "The folder holding the dataset's folder (e.g. the parent of CUB_200_2011/), or "
                            + "that folder itself; any Hadoop URI. Default for fmnist: the Debian package's folder.")
                    String dataRoot,
            @Option(names = "--eval-seen",
                    description = "fmnist: also evaluate on test images of the training classes.") boolean evalSeen)
            throws Exception {
        DatasetReader reader = Datasets.reader(dataset);
        String root = dataRoot != null ? dataRoot : reader.defaultRoot();
        if (root == null) {
            throw new UsageException("--data-root is required for " + reader.name()
                    + " (the folder that holds the dataset).");
        }
        DatasetListing listing = reader.list(root, DatasetOptions.defaults().withEvalSeen(evalSeen),
                new Configuration());
        spec.commandLine().getOut().println(new ObjectMapper().writeValueAsString(toJson(listing)));
        spec.commandLine().getOut().flush();
        return 0;
    }

    private static ObjectNode toJson(DatasetListing listing) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("dataset", listing.dataset());
        out.put("train_classes", listing.numTrainClasses());
        out.put("eval_mode", listing.evalMode().key());
        ArrayNode recallK = out.putArray("recall_k");
        for (int k : listing.recallK()) {
            recallK.add(k);
        }
        ObjectNode roles = out.putObject("roles");
        for (Role role : listing.roles()) {
            ObjectNode counts = roles.putObject(role.key());
            counts.put("images", listing.imageCount(role));
            counts.put("classes", listing.classCount(role));
        }
        return out;
    }
}

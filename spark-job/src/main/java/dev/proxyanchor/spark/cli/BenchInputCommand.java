package dev.proxyanchor.spark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.proxyanchor.model.UsageException;
import dev.proxyanchor.model.UserInputException;
import dev.proxyanchor.model.backbones.Backbones;
import dev.proxyanchor.spark.bench.InputBenchmark;
import dev.proxyanchor.spark.io.TextFiles;
import java.io.IOException;
import java.io.InputStream;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench input}: decoding and the training / evaluation transforms of a backbone on N threads, in this JVM
 * (no Spark). {@code spark-job/src/test/resources/bench/torch_input.py} measures PIL + torchvision on the same files.
 */
@Command(name = "input", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Input throughput: decode + the backbone's training and evaluation transforms on N threads.")
final class BenchInputCommand implements Callable<Integer> {

    private static final List<String> IMAGE_SUFFIXES = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

    @Option(names = "--images", required = true, description = "folder of image files (any Hadoop URI; not recursive)")
    String images;

    @Option(names = "--model", defaultValue = "bn_inception", description = "whose transforms, default: ${DEFAULT-VALUE}")
    String model;

    @Option(names = "--threads", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    int threads;

    @Option(names = "--repeats", defaultValue = "3",
            description = "timed passes after one warm-up; the best is reported, default: ${DEFAULT-VALUE}")
    int repeats;

    @Option(names = "--output", description = "also write the figures as JSON to this file (any Hadoop URI)")
    String output;

    @Override
    public Integer call() throws Exception {
        if (threads < 1 || repeats < 1) {
            throw new UsageException("--threads and --repeats must be at least 1, got " + threads + " and "
                    + repeats);
        }
        Configuration hadoop = new Configuration();
        List<Map.Entry<String, byte[]>> files = read(hadoop, images);
        Map<String, Object> report = InputBenchmark.run(new InputBenchmark.Settings(files,
                Backbones.create(model).inputSpec(), threads, repeats));
        report.forEach((key, value) -> System.out.printf("%-24s %s%n", key, value));
        if (output != null) {
            TextFiles.write(hadoop, output, new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(report) + "\n");
        }
        return 0;
    }

    private static List<Map.Entry<String, byte[]>> read(Configuration hadoop, String folder) throws IOException {
        Path dir = new Path(folder);
        FileSystem fs = dir.getFileSystem(hadoop);
        if (!fs.exists(dir) || !fs.getFileStatus(dir).isDirectory()) {
            throw new UserInputException("--images " + folder + " is not a folder");
        }
        FileStatus[] listing = fs.listStatus(dir, path -> IMAGE_SUFFIXES.stream()
                .anyMatch(suffix -> path.getName().toLowerCase(Locale.ROOT).endsWith(suffix)));
        Arrays.sort(listing, Comparator.comparing(status -> status.getPath().getName()));
        if (listing.length == 0) {
            throw new UserInputException("--images " + folder + " holds no " + String.join(", ", IMAGE_SUFFIXES)
                    + " files");
        }
        List<Map.Entry<String, byte[]>> files = new ArrayList<>(listing.length);
        for (FileStatus status : listing) {
            try (InputStream in = fs.open(status.getPath())) {
                files.add(new AbstractMap.SimpleImmutableEntry<>(status.getPath().toString(), in.readAllBytes()));
            }
        }
        return files;
    }
}
